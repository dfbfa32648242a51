/* Charts of the 人口统计 page, drawn from the figures the server put in #population-data.
   Clicking a child region's bar drills one level down (the server checks the scope).
   The 立即刷新 button shows that a recompute is under way. */
(function () {
  "use strict";
  // 立即刷新 recomputes on the server (seconds for a city): say so and block a second click.
  var refresh = document.getElementById("snapshot-refresh");
  if (refresh) {
    refresh.addEventListener("submit", function () {
      var button = refresh.querySelector("button");
      button.disabled = true;
      button.textContent = "正在刷新…";
    });
  }
  var source = document.getElementById("population-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var chart = echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
    return chart;
  }
  function empty(text) {
    return { title: { text: text, left: "center", top: "middle",
      textStyle: { color: "#9aa0ac", fontSize: 14, fontWeight: "normal" } } };
  }
  function sum(values) { return values.reduce(function (a, b) { return a + b; }, 0); }
  function pie(rows, text) {
    if (!sum(rows.counts)) { return empty(text); }
    return {
      tooltip: { trigger: "item", formatter: "{b}：{c} 人（{d}%）" },
      legend: { bottom: 0 },
      // Shares inside the ring: outside labels are cut off in the narrow cards; names are in
      // the legend.
      series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"],
        label: { position: "inside", formatter: "{d}%" }, labelLine: { show: false },
        data: rows.labels.map(function (label, i) { return { name: label, value: rows.counts[i] }; }) }]
    };
  }
  function bars(rows, text, colour) {
    if (!rows.counts.length || !sum(rows.counts)) { return empty(text); }
    return {
      tooltip: { trigger: "axis" },
      grid: { top: 24, left: 48, right: 16, bottom: 64 },
      xAxis: { type: "category", data: rows.labels, axisLabel: { interval: 0, rotate: rows.labels.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", name: "人", minInterval: 1 },
      series: [{ name: "人数", type: "bar", data: rows.counts, itemStyle: { color: colour } }]
    };
  }

  var pyramid = data.pyramid;
  draw("chart-pyramid", sum(pyramid.male) + sum(pyramid.female) ? {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
      valueFormatter: function (v) { return Math.abs(v) + " 人"; } },
    legend: { top: 0, data: ["男", "女"] },
    grid: { top: 32, left: 72, right: 24, bottom: 24 },
    xAxis: { type: "value", axisLabel: { formatter: function (v) { return Math.abs(v); } } },
    yAxis: { type: "category", data: pyramid.bands, axisTick: { show: false } },
    series: [
      { name: "男", type: "bar", stack: "age", data: pyramid.male.map(function (v) { return -v; }), itemStyle: { color: "#206bc4" } },
      { name: "女", type: "bar", stack: "age", data: pyramid.female, itemStyle: { color: "#d6336c" } }
    ]
  } : empty("暂无出生日期数据"));

  draw("chart-sex", pie(data.sexes, "暂无数据"));
  draw("chart-type", pie(data.residence_types, "暂无数据"));
  draw("chart-ethnicity", bars(data.ethnicities, "暂无数据", "#f59f00"));
  draw("chart-education", bars(data.educations, "暂无数据", "#2fb344"));
  draw("chart-category", bars(data.categories, data.categories.labels.length ? "暂无在册人员" : "无可查看的人员类别", "#ae3ec9"));

  var trend = data.trend;
  draw("chart-trend", {
    tooltip: { trigger: "axis" },
    legend: { top: 0, data: ["流入", "流出"] },
    grid: { top: 40, left: 48, right: 24, bottom: 32 },
    xAxis: { type: "category", data: trend.months, boundaryGap: false },
    yAxis: { type: "value", name: "人", minInterval: 1 },
    series: [
      { name: "流入", type: "line", data: trend.inflow, itemStyle: { color: "#2fb344" } },
      { name: "流出", type: "line", data: trend.outflow, itemStyle: { color: "#f76707" } }
    ]
  });

  var children = data.children;
  var childChart = draw("chart-children", children.length ? {
    tooltip: { trigger: "axis" },
    grid: { top: 24, left: 56, right: 16, bottom: 56 },
    xAxis: { type: "category", data: children.map(function (c) { return c.name; }),
      axisLabel: { interval: 0, rotate: children.length > 6 ? 30 : 0 } },
    yAxis: { type: "value", name: "人", minInterval: 1 },
    series: [{ name: "实有人口", type: "bar", data: children.map(function (c) { return c.total; }),
      cursor: "pointer", itemStyle: { color: "#4263eb" } }]
  } : empty("没有下级区域"));
  if (childChart && children.length) {
    childChart.on("click", function (params) {
      var child = children[params.dataIndex];
      if (child && child.drill) {
        var query = new URLSearchParams(window.location.search);
        query.set("region", child.code);
        window.location.search = query.toString();
      }
    });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
