import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_first_page_shows_every_sector_in_vietnamese_numbers(leader_client: Client) -> None:
    response = leader_client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Huyện Thanh Miện" in html
    assert "Nông nghiệp, nông thôn" in html and "Thi hành án dân sự" in html
    # seed line 56: 14.739 ha, 103,4% of plan, -1,5% on 2022
    assert "14.739" in html and "103,4%" in html and "−1,5%" in html


def test_it_explains_a_bad_unit(leader_client: Client) -> None:
    response = leader_client.get("/?unit=99999&year=2023")
    assert response.status_code == 400
    assert "Không có đơn vị hành chính mã «99999»" in response.content.decode()


def test_it_explains_a_bad_year(leader_client: Client) -> None:
    response = leader_client.get("/?year=abc")
    assert response.status_code == 400
    assert "Năm không hợp lệ" in response.content.decode()


def test_the_page_takes_a_bounded_number_of_queries(
    leader_client: Client, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    with django_assert_max_num_queries(15):
        leader_client.get("/")


def test_the_admin_speaks_vietnamese(admin_client: Client) -> None:
    html = admin_client.get("/admin/catalog/indicator/").content.decode()
    assert "chỉ tiêu" in html.lower()
    assert admin_client.get("/admin/datavalues/datavalue/?derived__exact=1").status_code == 200


def test_each_row_says_whether_the_plan_was_met(leader_client: Client) -> None:
    html = leader_client.get("/").content.decode()
    # 14.739 ha at 103,4% of plan → vượt; rice 12.135 ha at 99,1% → không đạt (seed lines 56, 74)
    assert 'class="status st-up">vượt</td>' in html
    assert 'class="status st-down">không đạt</td>' in html
