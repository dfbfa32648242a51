/* Charts of the 纠纷统计汇总 page, drawn from the figures the server put in #dispute-stats-data. */
(function () {
  "use strict";
  var source = document.getElementById("dispute-stats-data");
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

  function sum(values) {
    return values.reduce(function (a, b) { return a + b; }, 0);
  }

  function pie(items) {
    var counted = sum(items.map(function (item) { return item.value; }));
    return counted ? {
      tooltip: { trigger: "item", formatter: "{b}：{c} 件（{d}%）" },
      legend: { bottom: 0 },
      series: [{ type: "pie", radius: ["35%", "65%"], top: 0, bottom: 32, data: items }]
    } : empty("本期没有纠纷");
  }

  var category = data.category;
  draw("chart-category", category.names.length ? {
    tooltip: { trigger: "axis" },
    grid: { top: 32, left: 48, right: 24, bottom: 56 },
    xAxis: { type: "category", data: category.names, axisLabel: { interval: 0, rotate: category.names.length > 6 ? 30 : 0 } },
    yAxis: { type: "value", name: "件", minInterval: 1 },
    series: [{ name: "纠纷数", type: "bar", data: category.counts }]
  } : empty("本期没有纠纷"));

  draw("chart-level", pie(data.level));
  draw("chart-outcome", pie(data.outcome));

  var ranking = data.ranking;
  draw("chart-ranking", ranking.names.length ? {
    tooltip: { trigger: "axis" },
    legend: { top: 0, data: ["纠纷总数", "调处成功", "调处成功率"] },
    grid: { top: 48, left: 48, right: 56, bottom: 40 },
    xAxis: { type: "category", data: ranking.names, axisLabel: { interval: 0, rotate: ranking.names.length > 6 ? 30 : 0 } },
    yAxis: [
      { type: "value", name: "件", minInterval: 1 },
      { type: "value", name: "%", min: 0, max: 100 }
    ],
    series: [
      { name: "纠纷总数", type: "bar", data: ranking.totals },
      { name: "调处成功", type: "bar", data: ranking.resolved },
      { name: "调处成功率", type: "line", yAxisIndex: 1, data: ranking.success_rates, connectNulls: false,
        tooltip: { valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; } } }
    ]
  } : empty("没有下级区域"));

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
