// The incident map (docs/assessment.md): Leaflet (vendored) draws the country and province outlines and the
// incidents the viewer may see, all fetched as JSON from this site. No tiles, nothing from elsewhere. Titles come from reports:
// they are set as text (textContent), never as markup.
"use strict";

(() => {
  const box = document.getElementById("incident-map");
  if (!box || !window.L) {
    return;
  }
  const OUTLINE = "#9aa5b1", LAND = "#fbfaf7", SHADED = "#f3d9b1";
  const PROVINCE = "#e39a5f", PROVINCE_EDGE = "#9c5a23", PROVINCE_BORDER = "#c9d0d7";
  const map = L.map(box, { attributionControl: false, zoomSnap: 0.25, minZoom: 2, maxZoom: 12 });
  map.setView([32, 68], 5);  // Pakistan and Afghanistan, until the incidents say where to look

  function text(tag, content, className) {
    const element = document.createElement(tag);
    element.textContent = content;
    if (className) {
      element.className = className;
    }
    return element;
  }

  function areaPopup(name, shaded, what) {
    const content = document.createElement("div");
    content.className = "map-popup";
    content.append(text("strong", `${name}: ${shaded.count} known only to the ${what}`));
    const list = document.createElement("ul");
    for (const incident of shaded.incidents) {
      const item = document.createElement("li");
      const link = text("a", `#${incident.id} ${incident.title}`);
      link.href = incident.url;
      item.append(link);
      list.append(item);
    }
    if (shaded.count > shaded.incidents.length) {
      list.append(text("li", `and ${shaded.count - shaded.incidents.length} more`));
    }
    content.append(list);
    return content;
  }

  function drawCountries(outlines, shaded) {
    const bounds = [];
    L.geoJSON(outlines, {
      interactive: true,
      style: (feature) => {
        const only = shaded[feature.properties.code];
        return { color: OUTLINE, weight: 0.7, fillColor: only ? SHADED : LAND, fillOpacity: 1,
                 className: only ? "country country-only" : "country", interactive: Boolean(only) };
      },
      onEachFeature: (feature, layer) => {
        const only = shaded[feature.properties.code];
        if (only) {
          layer.bindPopup(areaPopup(feature.properties.name, only, "country"));
          layer.on("add", () => { layer.getElement().dataset.country = feature.properties.code; });
          bounds.push(layer.getBounds());
        }
      },
    }).addTo(map);
    return bounds;
  }

  // Every province's border, faint, for orientation; those with incidents known only to them shaded and clickable.
  function drawProvinces(outlines, shaded) {
    const bounds = [];
    L.geoJSON(outlines, {
      style: (feature) => {
        const only = shaded[feature.properties.code];
        return only
          ? { color: PROVINCE_EDGE, weight: 1.2, fillColor: PROVINCE, fillOpacity: 0.75,
              className: "province province-only", interactive: true }
          : { color: PROVINCE_BORDER, weight: 0.5, fill: false, className: "province", interactive: false };
      },
      onEachFeature: (feature, layer) => {
        const only = shaded[feature.properties.code];
        layer.on("add", () => { layer.getElement().dataset.province = feature.properties.code; });
        if (only) {
          layer.bindPopup(areaPopup(feature.properties.name, only, "province"));
          layer.bindTooltip(text("span", `${feature.properties.name}: ${only.count} known only to the province`));
          bounds.push(layer.getBounds());
        }
      },
    }).addTo(map);
    return bounds;
  }

  function drawPoints(points) {
    for (const point of points) {
      const marker = L.circleMarker([point.lat, point.lon], {
        radius: point.radius, color: point.colour, weight: point.ring ? 2 : 1, fillColor: point.colour,
        fillOpacity: point.ring ? 0 : 0.6, dashArray: point.ring ? "4 3" : null,
        className: point.ring ? "incident ring" : "incident point",
      }).addTo(map);
      marker.getElement().dataset.incident = point.id;
      const killed = point.killed === null ? "killed not known" : `${point.killed} killed`;
      const where = point.ring ? " (known to the district only)" : "";
      marker.bindTooltip(text("span", `#${point.id} ${point.title}, ${point.date || "undated"}: ${killed}${where}`));
      marker.on("click", () => window.location.assign(point.url));
    }
  }

  function drawLegend(data) {
    const legend = document.querySelector(".map-legend");
    const entry = (label, swatchClass, colour) => {
      const item = document.createElement("li");
      const swatch = text("span", "", `swatch ${swatchClass}`);
      if (colour) {
        swatch.style.background = colour;  // a CSSOM property: allowed by the Content-Security-Policy
      }
      item.append(swatch, document.createTextNode(label));
      legend.append(item);
    };
    for (const { label, colour, count } of data.legend) {
      entry(`${label} (${count})`, "", colour);
    }
    entry("dashed ring: known to the district only", "ring");
    const provinces = Object.values(data.provinces).reduce((sum, area) => sum + area.count, 0);
    entry(`shaded: known to the province only${provinces ? ` (${provinces})` : ""}`, "province");
    entry("shaded: known to the country only", "country");
    if (data.listed_beside) {
      entry(`${data.listed_beside} known only to a province with no outline: listed beside the map`, "none");
    }
  }

  function draw(outlines, provinceOutlines, data) {
    const bounds = drawCountries(outlines, data.countries).concat(drawProvinces(provinceOutlines, data.provinces));
    drawPoints(data.points);
    drawLegend(data);
    for (const point of data.points) {
      bounds.push(L.latLng(point.lat, point.lon).toBounds(20000));
    }
    if (bounds.length) {
      const all = L.latLngBounds([]);
      bounds.forEach((one) => all.extend(one));
      map.fitBounds(all, { padding: [20, 20], maxZoom: 8 });
    }
    box.dataset.drawn = "true";  // for the browser tests: the data has come and is on the map
  }

  const json = (url) => fetch(url, { credentials: "same-origin" }).then((response) => {
    if (!response.ok) {
      throw new Error(`${url}: ${response.status}`);
    }
    return response.json();
  });
  Promise.all([json(box.dataset.countries), json(box.dataset.provinces), json(box.dataset.incidents)])
    .then(([outlines, provinceOutlines, data]) => draw(outlines, provinceOutlines, data))
    .catch((error) => box.replaceChildren(text("p", `The map could not be drawn (${error.message}).`, "error")));
})();
