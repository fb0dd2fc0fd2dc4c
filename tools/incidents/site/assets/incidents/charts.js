// The data page's charts (data/): drawn by Chart.js from charts.json (incidents.site.charts). Pointing at a
// bar shows its values in the tooltip and in the line under the chart, which screen readers read out.
(function () {
  "use strict";
  const figures = document.querySelectorAll(".incidents-chart");
  if (!figures.length || !window.Chart) return;
  const PALETTE = ["#3f51b5", "#e65100", "#2e7d32", "#c2185b", "#00838f", "#6d4c41"];
  const LINE = "#b71c1c";
  const n = (v) => Number(v).toLocaleString("en");

  function readout(figure, chart, text) {
    figure.querySelector(".chart-readout").textContent = text;
  }

  function onHover(figure, describe) {
    return (event, elements, chart) => {
      if (elements.length) readout(figure, chart, describe(elements[0].index));
    };
  }

  const charts = {
    by_month(figure, d) {
      return {
        type: "bar",
        data: {
          labels: d.labels,
          datasets: [
            ...d.types.map((t, i) => ({ type: "bar", label: t.label, data: t.events, stack: "events", backgroundColor: PALETTE[i % PALETTE.length], yAxisID: "y" })),
            { type: "line", label: "fatalities", data: d.fatalities, borderColor: LINE, backgroundColor: LINE, pointRadius: 1.5, borderWidth: 1.5, yAxisID: "y1" },
          ],
        },
        options: {
          scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, title: { display: true, text: "incidents" } },
            y1: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: "fatalities" } } },
          onHover: onHover(figure, (i) => `${d.labels[i]}: ` + d.types.filter((t) => t.events[i]).map((t) => `${t.label} ${n(t.events[i])}`).join(", ") +
            `; incidents ${n(d.types.reduce((s, t) => s + t.events[i], 0))}; fatalities ${n(d.fatalities[i])}`),
        },
      };
    },
    by_type(figure, d) {
      return {
        type: "bar",
        data: { labels: d.labels, datasets: [
          { label: "incidents", data: d.events, backgroundColor: PALETTE[0], yAxisID: "y" },
          { label: "fatalities", data: d.fatalities, backgroundColor: LINE, yAxisID: "y1" },
        ] },
        options: {
          scales: { y: { beginAtZero: true, title: { display: true, text: "incidents" } },
            y1: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: "fatalities" } } },
          onHover: onHover(figure, (i) => `${d.labels[i]}: incidents ${n(d.events[i])}; fatalities ${n(d.fatalities[i])}`),
        },
      };
    },
    by_actor(figure, d) {
      figure.style.height = `${Math.max(240, 40 + 34 * d.labels.length)}px`;
      return {
        type: "bar",
        data: { labels: d.labels, datasets: [
          { label: "incidents", data: d.events, backgroundColor: PALETTE[0], xAxisID: "x" },
          { label: "fatalities (best estimate)", data: d.fatalities, backgroundColor: LINE, xAxisID: "x1" },
        ] },
        options: {
          indexAxis: "y",
          scales: { x: { beginAtZero: true, position: "bottom", title: { display: true, text: "incidents" } },
            x1: { beginAtZero: true, position: "top", grid: { drawOnChartArea: false }, title: { display: true, text: "fatalities" } },
            y: { ticks: { autoSkip: false, callback(value) { const t = this.getLabelForValue(value); return t.length > 32 ? t.slice(0, 31) + "…" : t; } } } },
          plugins: { tooltip: { callbacks: { footer: (items) => items.length ? `fatalities low-high: ${n(d.low[items[0].dataIndex])}-${n(d.high[items[0].dataIndex])}` : "" } } },
          onHover: onHover(figure, (i) => `${d.labels[i]}: incidents ${n(d.events[i])}; fatalities ${n(d.fatalities[i])} (${n(d.low[i])}-${n(d.high[i])})`),
        },
      };
    },
  };

  const sources = new Map();
  for (const figure of figures) {
    const src = figure.dataset.src;
    if (!sources.has(src)) sources.set(src, fetch(src).then((r) => { if (!r.ok) throw new Error(`${src}: HTTP ${r.status}`); return r.json(); }));
    sources.get(src).then((data) => {
      const config = charts[figure.dataset.chart](figure, data[figure.dataset.chart]);
      config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false } }, config.options);
      new Chart(figure.querySelector("canvas"), config);
      figure.dataset.ready = "true";
    }).catch((error) => readout(figure, null, `The chart could not be drawn: ${error.message}`));
  }
})();
