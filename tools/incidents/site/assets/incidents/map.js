// The map (data/map/): Natural Earth's borders, shipped with the site, and a marker per located incident,
// clustered (Leaflet.markercluster), each with a popup made of text nodes. No tiles: nothing is fetched from
// another site. Data: the explorer's incidents.json and towns.json (incidents.site.maps).
(function () {
  "use strict";
  const box = document.getElementById("incidents-map");
  if (!box || !window.L || !window.topojson) return;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    for (const child of children) node.append(child instanceof Node ? child : String(child));
    return node;
  }

  function json(url) {
    return fetch(url).then((r) => {
      if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
      return r.json();
    });
  }

  const map = L.map(box, { zoomSnap: 0.5, worldCopyJump: true, minZoom: 2, maxZoom: 13 });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Borders: Natural Earth (public domain)");
  map.setView([35, 38], 6);

  Promise.all([json(box.dataset.incidents), json(box.dataset.borders), json(box.dataset.towns)]).then(([index, topo, towns]) => {
    L.geoJSON(topojson.feature(topo, topo.objects.countries), {
      style: { color: "#7986cb", weight: 1, fillColor: "#f5f5f0", fillOpacity: 1 },
      interactive: false,
    }).addTo(map);
    for (const town of towns) {
      L.circleMarker([town.lat, town.lon], { radius: 2, color: "#757575", weight: 1, fillOpacity: 0.8 })
        .bindTooltip(town.name, { direction: "right" })
        .addTo(map);
    }
    const c = index.columns;
    const pick = (col, i) => col.values[col.index[i]];
    const labels = index.labels;
    const clusters = L.markerClusterGroup({ chunkedLoading: true, maxClusterRadius: 45, showCoverageOnHover: false });
    const icon = L.divIcon({ className: "incident-marker", iconSize: [12, 12] });
    const markers = [];
    for (let i = 0; i < index.count; i++) {
      if (c.lat[i] === null || c.lon[i] === null || pick(c.status, i) !== "active") continue;
      const place = pick(c.place, i) || "";
      const marker = L.marker([c.lat[i], c.lon[i]], { icon: icon, keyboard: true, title: place });
      marker.bindPopup(() => {
        const sub = pick(c.sub, i);
        const date = c.start[i] ? (c.end[i] !== c.start[i] ? `${c.start[i]} to ${c.end[i]}` : c.start[i]) : "date unknown";
        return el("div", { class: "incident-popup" },
          el("strong", {}, `${(labels.sub_event_type || {})[sub] || sub}, ${place}`),
          el("br"), `${date} · fatalities ${c.best[i] === null ? "not reported" : c.best[i]}`,
          el("p", {}, c.summary[i]),
          el("a", { href: `${box.dataset.explorer}#${encodeURIComponent(c.id[i])}` }, "Open in the explorer"));
      });
      markers.push(marker);
    }
    clusters.addLayers(markers);
    map.addLayer(clusters);
    if (markers.length) map.fitBounds(clusters.getBounds(), { padding: [30, 30], maxZoom: 9, animate: false });
    box.dataset.markers = String(markers.length);
    box.nextElementSibling.textContent = `${markers.length.toLocaleString("en")} located incidents on the map.`;
  }).catch((error) => { box.nextElementSibling.textContent = `The map could not be loaded: ${error}`; });
})();
