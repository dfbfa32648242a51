/* Charts of the 事件指标 page, drawn from the figures the server put in #stats-data. */
(function () {
  "use strict";
  var source = document.getElementById("stats-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
  }

  function empty(text) {
    return { title: { text: text, left: "center", top: "middle", textStyle: { color: "#9aa0ac", fontSize: 14, fontWeight: "normal" } } };
  }

  var regions = data.regions;
  draw("chart-regions", regions.names.length ? {
    tooltip: { trigger: "axis" },
    legend: { top: 0, data: ["立案数", "结案数", "按期结案率"] },
    grid: { top: 56, left: 48, right: 56, bottom: 40 },
    xAxis: { type: "category", data: regions.names, axisLabel: { interval: 0, rotate: regions.names.length > 6 ? 30 : 0 } },
    yAxis: [
      { type: "value", name: "件", minInterval: 1 },
      { type: "value", name: "%", min: 0, max: 100 }
    ],
    series: [
      { name: "立案数", type: "bar", data: regions.registered },
      { name: "结案数", type: "bar", data: regions.closed },
      { name: "按期结案率", type: "line", yAxisIndex: 1, data: regions.on_time_close_rate, connectNulls: false,
        tooltip: { valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; } } }
    ]
  } : empty("没有下级区域"));

  var trend = data.trend;
  draw("chart-trend", {
    tooltip: { trigger: "axis" },
    legend: { top: 0, data: ["立案数", "结案数"] },
    grid: { top: 56, left: 48, right: 24, bottom: 32 },
    xAxis: { type: "category", data: trend.months, boundaryGap: false },
    yAxis: { type: "value", name: "件", minInterval: 1 },
    series: [
      { name: "立案数", type: "line", data: trend.registered },
      { name: "结案数", type: "line", data: trend.closed }
    ]
  });

  var satisfaction = data.satisfaction;
  var evaluated = satisfaction.counts.reduce(function (a, b) { return a + b; }, 0);
  draw("chart-satisfaction", evaluated ? {
    tooltip: { trigger: "axis" },
    grid: { top: 40, left: 48, right: 24, bottom: 32 },
    xAxis: { type: "category", data: satisfaction.scores },
    yAxis: { type: "value", name: "次", minInterval: 1 },
    series: [{ name: "评价次数", type: "bar", data: satisfaction.counts, itemStyle: { color: "#2fb344" } }]
  } : empty("本期暂无评价"));

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
