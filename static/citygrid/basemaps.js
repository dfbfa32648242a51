/* Base layers from settings: Tianditu (with a key), any tile URL template, or none.
   Nothing is fetched from the internet unless an administrator configured it. */
(function () {
  "use strict";
  function tianditu(layer, key) {
    return "https://t{s}.tianditu.gov.cn/" + layer + "_w/wmts?SERVICE=WMTS&REQUEST=GetTile" +
      "&VERSION=1.0.0&LAYER=" + layer + "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles" +
      "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=" + encodeURIComponent(key);
  }
  function tiles(url, attribution) {
    return L.tileLayer(url, { subdomains: "01234567", maxZoom: 18, attribution: attribution || "" });
  }
  window.CityGridBaseMaps = function (map, config) {
    var layers = {};
    var attribution = config.attribution || "";
    if (config.flat_url) {
      layers["平面地图"] = tiles(config.flat_url, attribution);
    } else if (config.tianditu_key) {
      layers["平面地图"] = L.layerGroup([tiles(tianditu("vec", config.tianditu_key), attribution),
        tiles(tianditu("cva", config.tianditu_key))]);
    }
    if (config.satellite_url) {
      layers["卫星地图"] = tiles(config.satellite_url, attribution);
    } else if (config.tianditu_key) {
      layers["卫星地图"] = L.layerGroup([tiles(tianditu("img", config.tianditu_key), attribution),
        tiles(tianditu("cia", config.tianditu_key))]);
    }
    var names = Object.keys(layers);
    if (names.length === 0) {
      map.getContainer().classList.add("no-basemap");
      layers["无底图"] = L.layerGroup();
      names = ["无底图"];
    }
    layers[names[0]].addTo(map);
    return layers;
  };
})();
