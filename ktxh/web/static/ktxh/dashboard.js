/* Dashboards: draws the charts described by the pages' JSON (see ktxh/web/dashboard/charts.py)
   and places the provenance popovers next to the number that opened them.
   Without this file or without ECharts the pages still work: the tables hold every number. */
(function () {
  "use strict";

  // Vietnamese numbers: "." groups thousands, "," marks decimals (14.739; 103,4).
  function vi(x, decimals) {
    if (x === null || x === undefined || isNaN(x)) return "";
    var d = decimals === undefined ? (Math.abs(x) >= 100 || Number.isInteger(x) ? 0 : 1) : decimals;
    var neg = x < 0;
    var s = Math.abs(x).toFixed(d);
    var parts = s.split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return (neg ? "−" : "") + whole + (parts[1] ? "," + parts[1] : "");
  }
  window.ktxhVi = vi;

  var FONT = '"Times New Roman", "Liberation Serif", serif';
  var charts = [];

  function narrow() { return window.matchMedia("(max-width: 640px)").matches; }

  function shorten(name, max) {
    return name.length > max ? name.slice(0, max - 1) + "…" : name;
  }

  function barHeight(n) { return Math.max(180, n * (narrow() ? 30 : 26) + 70); }

  function stacked(spec) {
    var small = narrow();
    return {
      height: barHeight(spec.categories.length),
      option: {
        textStyle: { fontFamily: FONT },
        legend: { top: 0, data: spec.series.map(function (s) { return s.name; }) },
        grid: { left: 8, right: 24, top: 34, bottom: 24, containLabel: true },
        tooltip: {
          trigger: "axis", axisPointer: { type: "shadow" }, confine: true,
          formatter: function (ps) {
            var lines = [ps[0].name];
            ps.forEach(function (p) { lines.push(p.marker + p.seriesName + ": " + vi(p.value, 0)); });
            return lines.join("<br>");
          }
        },
        xAxis: { type: "value", minInterval: 1, name: small ? "" : spec.axis, nameLocation: "middle", nameGap: 22,
                 axisLabel: { formatter: function (v) { return vi(v, 0); } } },
        yAxis: { type: "category", inverse: true, data: spec.categories,
                 axisLabel: { width: small ? 120 : 260, overflow: "truncate", interval: 0 } },
        series: spec.series.map(function (s) {
          return { name: s.name, type: "bar", stack: "all", data: s.data, itemStyle: { color: s.color },
                   barMaxWidth: 22, label: { show: true, formatter: function (p) { return p.value ? vi(p.value, 0) : ""; },
                   color: "#fff", fontSize: 11 } };
        })
      },
      click: function (p) { if (spec.links && spec.links[p.dataIndex]) window.location.href = spec.links[p.dataIndex]; }
    };
  }

  function bars(spec) {
    var small = narrow();
    var items = spec.items;
    var option = {
      textStyle: { fontFamily: FONT },
      grid: { left: 8, right: small ? 56 : 70, top: 10, bottom: 24, containLabel: true },
      tooltip: {
        trigger: "item", confine: true,
        formatter: function (p) {
          var it = items[p.dataIndex];
          return it.name + "<br><b>" + it.label + "</b>" + (it.tip ? "<br>" + it.tip : "");
        }
      },
      xAxis: { type: "value", scale: false, splitNumber: small ? 3 : 4,
               axisLabel: { hideOverlap: true, formatter: function (v) { return vi(v) + (spec.suffix === "%" ? "%" : ""); } } },
      // on a phone the names wrap on up to three lines rather than being cut after a few words
      yAxis: { type: "category", inverse: true, data: items.map(function (it) { return it.name; }),
               axisLabel: { width: small ? 130 : 280, overflow: small ? "break" : "truncate", interval: 0,
                            lineHeight: small ? 13 : undefined, fontSize: small ? 11 : 12,
                            formatter: function (v) { return shorten(v, small ? 54 : 60); } } },
      series: [{
        type: "bar", barMaxWidth: 20,
        data: items.map(function (it) { return { value: it.value, itemStyle: { color: it.color } }; }),
        label: { show: true, position: "right", formatter: function (p) { return items[p.dataIndex].label; }, fontSize: 11 },
        markLine: spec.mark === undefined ? undefined : {
          symbol: "none", silent: true, lineStyle: { color: "#1d2733", type: "dashed" },
          label: { show: false }, data: [{ xAxis: spec.mark }]
        }
      }]
    };
    return { height: small ? Math.max(180, items.length * 44 + 70) : barHeight(items.length), option: option };
  }

  function lines(spec, index) {
    var o = spec.options[index || 0];
    if (!o) return null;
    function data(points) { return points.map(function (p) { return p ? p.value : null; }); }
    var option = {
      textStyle: { fontFamily: FONT },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 36, bottom: 24, containLabel: true },
      tooltip: {
        trigger: "axis", confine: true,
        formatter: function (ps) {
          var out = [ps[0].axisValue];
          ps.forEach(function (p) {
            var src = p.seriesIndex === 0 ? o.actual : o.plan;
            var pt = src[p.dataIndex];
            if (pt) out.push(p.marker + p.seriesName + ": " + pt.label + " " + o.unit + (pt.derived ? " (" + spec.derived_note + ")" : ""));
          });
          return out.join("<br>");
        }
      },
      xAxis: { type: "category", data: spec.years, boundaryGap: true },
      yAxis: { type: "value", scale: true, name: o.unit, nameTextStyle: { align: "right" },
               axisLabel: { hideOverlap: true, formatter: function (v) { return vi(v); } } },
      series: [
        { name: spec.actual_name, type: "line", data: data(o.actual), connectNulls: true, symbolSize: 8,
          itemStyle: { color: "#a4161a" },
          label: { show: spec.years.length <= 6, position: "top", formatter: function (p) { var pt = o.actual[p.dataIndex]; return pt ? pt.label : ""; } } },
        { name: spec.plan_name, type: "line", data: data(o.plan), connectNulls: true, symbol: "rect", symbolSize: 8,
          lineStyle: { type: "dashed" }, itemStyle: { color: "#1d4f91" },
          label: { show: spec.years.length <= 6, position: "bottom", formatter: function (p) { var pt = o.plan[p.dataIndex]; return pt ? pt.label : ""; } } }
      ]
    };
    return { height: narrow() ? 260 : 320, option: option };
  }

  function build(spec, index) {
    if (spec.type === "stacked") return stacked(spec);
    if (spec.type === "bars") return bars(spec);
    if (spec.type === "lines") return lines(spec, index);
    return null;
  }

  function draw(el, index) {
    var spec = JSON.parse(document.getElementById(el.dataset.chart).textContent);
    var built = build(spec, index);
    if (!built) return;
    built.option.animation = false;  // figures appear at once (and screenshots show them whole)
    el.hidden = false;
    el.style.height = built.height + "px";
    var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(built.option, true);
    chart.resize();
    if (built.click) { chart.off("click"); chart.on("click", built.click); }
    if (charts.indexOf(chart) < 0) charts.push(chart);
  }

  function drawAll() {
    if (!window.echarts) return;  // vendored file missing: the tables stay
    document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
      try { draw(el, 0); } catch (e) { el.hidden = true; if (window.console) console.error(e); }
    });
    document.querySelectorAll("select[data-trend-for]").forEach(function (sel) {
      sel.addEventListener("change", function () {
        var el = document.querySelector('.chart[data-chart="' + sel.dataset.trendFor + '"]');
        if (el) draw(el, parseInt(sel.value, 10));
      });
    });
    var timer = null;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
    });
  }

  // Popovers open next to their number rather than in the middle of the screen.
  function placePopovers() {
    document.querySelectorAll("[popover].prov").forEach(function (pop) {
      pop.addEventListener("toggle", function (ev) {
        if (ev.newState !== "open") return;
        var btn = document.querySelector('[popovertarget="' + pop.id + '"]');
        if (!btn) return;
        var r = btn.getBoundingClientRect();
        pop.style.position = "fixed";
        pop.style.margin = "0";
        pop.style.inset = "auto";
        var w = pop.offsetWidth, h = pop.offsetHeight;
        var left = Math.min(Math.max(8, r.right - w), window.innerWidth - w - 8);
        var top = r.bottom + 4;
        if (top + h > window.innerHeight - 8) top = Math.max(8, r.top - h - 4);
        pop.style.left = left + "px";
        pop.style.top = top + "px";
      });
    });
  }

  function start() { drawAll(); placePopovers(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
