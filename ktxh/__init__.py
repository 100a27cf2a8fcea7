"""ktxh: kế hoạch, theo dõi, kiểm tra và báo cáo phát triển kinh tế - xã hội."""

__version__ = "0.1.0"
