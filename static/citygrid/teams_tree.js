/* The teams tree (机构队伍) as an ECharts org chart. The first two levels come in #teams-data;
   a node's children are fetched when it is first opened (a city has thousands of grids). */
(function () {
  "use strict";
  var source = document.getElementById("teams-data");
  var el = document.getElementById("teams-chart");
  if (!source || !el || typeof echarts === "undefined") { return; }
  var roots = JSON.parse(source.textContent);
  var byId = {};

  function prepare(node, open) {
    byId[node.id] = node;
    node.value = node.total;
    node.label = { formatter: node.name + "\n" + node.own + " / " + node.total + " 人" };
    if (node.loaded) {
      node.collapsed = !open;
      node.children.forEach(function (child) { prepare(child, false); });
    } else {
      node.children = node.has_children ? [{ name: "加载中…", placeholder: true }] : [];
      node.collapsed = true;
    }
    return node;
  }

  var top = roots.length === 1 ? prepare(roots[0], true)
    : { id: 0, name: "机构队伍", own: 0, total: roots.reduce(function (n, r) { return n + r.total; }, 0),
        loaded: true, children: roots };
  if (roots.length !== 1) { prepare(top, true); roots.forEach(function (r) { r.collapsed = true; }); }

  var chart = echarts.init(el);
  function draw() {
    chart.setOption({
      tooltip: { trigger: "item", formatter: function (p) {
        var d = p.data;
        return d.placeholder ? "" : d.name + "（" + (d.kind || "") + "）<br>本级 " + d.own + " 人，含下级 " + d.total + " 人";
      } },
      series: [{
        type: "tree", data: [top], orient: "TB", top: 40, bottom: 60, left: 60, right: 60,
        symbolSize: 10, initialTreeDepth: -1, expandAndCollapse: true, roam: true,
        animationDuration: 300, animationDurationUpdate: 300,
        label: { position: "top", fontSize: 12, backgroundColor: "#fff", padding: [2, 4] },
        leaves: { label: { position: "bottom" } },
      }],
    });
  }
  draw();

  chart.on("click", function (params) {
    var node = byId[params.data.id];
    if (!node || node === top) { return; }
    if (node.loaded || !node.has_children) {
      node.collapsed = !node.collapsed;
      return;
    }
    fetch(el.dataset.childrenUrl.replace("/0/", "/" + node.id + "/"), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        node.loaded = true;
        node.children = data.children.map(function (child) { return prepare(child, false); });
        node.collapsed = false;
        draw();
      });
  });
  chart.on("dblclick", function (params) {
    var node = byId[params.data.id];
    if (node && node.url) { window.location.href = node.url; }
  });
  window.addEventListener("resize", function () { chart.resize(); });
  document.querySelectorAll('a[data-bs-toggle="tab"]').forEach(function (tab) {
    tab.addEventListener("shown.bs.tab", function () { chart.resize(); });
  });
})();
