/* Base layers from settings: CityGrid's own tiles (MBTiles served at /tiles/), any tile URL
   template, Tianditu (with a key), or none. Nothing is fetched from the internet unless an
   administrator configured it. Every map calls this once, so the attribution line is set here:
   the administrator's credit only, without Leaflet's own prefix and flag. */
(function () {
  "use strict";
  function tianditu(layer, key) {
    return "https://t{s}.tianditu.gov.cn/" + layer + "_w/wmts?SERVICE=WMTS&REQUEST=GetTile" +
      "&VERSION=1.0.0&LAYER=" + layer + "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles" +
      "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=" + encodeURIComponent(key);
  }
  function tiles(url, attribution, zooms) {
    var options = { subdomains: "01234567", maxZoom: 19, attribution: attribution || "" };
    if (zooms) {
      // A local file holds a zoom range only: stretch its nearest zoom beyond it.
      options.minNativeZoom = zooms[0];
      options.maxNativeZoom = zooms[1];
    }
    return L.tileLayer(url, options);
  }
  window.CityGridBaseMaps = function (map, config) {
    var layers = {};
    var attribution = config.attribution || "";
    if (map.attributionControl) { map.attributionControl.setPrefix(false); }
    // Region names above the outlines and below every marker, so a label never hides a case.
    if (!map.getPane("cg-labels")) {
      map.createPane("cg-labels").style.zIndex = 450;
      map.getPane("cg-labels").style.pointerEvents = "none";
      map.createPane("cg-markers").style.zIndex = 500;
    }
    if (config.flat_url) {
      layers["平面地图"] = tiles(config.flat_url, attribution, config.flat_zooms);
    } else if (config.tianditu_key) {
      layers["平面地图"] = L.layerGroup([tiles(tianditu("vec", config.tianditu_key), attribution),
        tiles(tianditu("cva", config.tianditu_key))]);
    }
    if (config.satellite_url) {
      layers["卫星地图"] = tiles(config.satellite_url, attribution, config.satellite_zooms);
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
