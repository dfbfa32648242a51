/* The 工作台 trend: reports and closures per day, from the figures in #workbench-trend-data. */
(function () {
  "use strict";
  var source = document.getElementById("workbench-trend-data");
  var el = document.getElementById("chart-workbench-trend");
  if (!source || !el || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0, data: ["上报", "结案"] },
    grid: { top: 36, left: 40, right: 16, bottom: 28 },
    xAxis: { type: "category", data: data.days },
    yAxis: { type: "value", name: "件", minInterval: 1 },
    series: [
      { name: "上报", type: "line", data: data.reported },
      { name: "结案", type: "line", data: data.closed }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
