// Draws every chart on the page with Chart.js (loaded before this script as a classic script).
// Each <canvas data-chart="x-data"> names the <script type="application/json" id="x-data"> that
// holds its figures, written by hscb/partials/chart.html with a table of the same figures:
// without JavaScript the canvas stays hidden and the table carries everything.
// Colours come from CSS custom properties (--app-chart-*, in static/scss/main.scss), which take
// them from the GOV.UK palette. Nothing here writes inline HTML or <style>, so the page's
// Content-Security-Policy holds.
(function () {
  "use strict";

  const Chart = window.Chart;
  if (!Chart) {
    return;
  }

  const root = getComputedStyle(document.documentElement);
  const colour = (name) => root.getPropertyValue(`--app-chart-${name}`).trim() || "#0b0c0c";
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  // The figure is set in the service's font (static/scss/main.scss); the canvas follows it.
  const figure = document.querySelector(".app-chart");
  Chart.defaults.font.family = getComputedStyle(figure || document.body).fontFamily;
  Chart.defaults.font.size = 16;
  Chart.defaults.color = colour("text");
  Chart.defaults.borderColor = colour("grid");

  // Long category names (group names) go on to several lines rather than being cut off.
  function wrap(label, width = 18) {
    const lines = [];
    for (const word of String(label).split(" ")) {
      const last = lines.length - 1;
      if (last >= 0 && lines[last].length + word.length < width) {
        lines[last] += ` ${word}`;
      } else {
        lines.push(word);
      }
    }
    return lines.length > 1 ? lines : label;
  }

  function datasets(spec) {
    return spec.datasets.map((set) => ({
      label: set.label,
      data: set.data,
      backgroundColor: set.colours.map(colour),
      // A dark edge keeps light colours apart from the white page and from each other.
      borderColor: spec.kind === "doughnut" ? "#ffffff" : colour("text"),
      borderWidth: spec.kind === "doughnut" ? 2 : 1,
    }));
  }

  function options(spec) {
    const legend = {
      // One series coloured bar by bar (a chart by status) is named by its axis, not a legend.
      display: spec.kind === "doughnut" || spec.datasets.length > 1,
      position: "bottom",
      labels: { boxWidth: 16, boxHeight: 16 },
    };
    const common = {
      responsive: true,
      maintainAspectRatio: false,
      animation: reducedMotion ? false : { duration: 400 },
      plugins: { legend },
    };
    if (spec.kind === "doughnut") {
      return common;
    }
    const value = {
      beginAtZero: true,
      stacked: spec.stacked,
      ticks: { precision: 0 },
    };
    // Every category is named: none is skipped to save room.
    const category = {
      stacked: spec.stacked,
      grid: { display: false },
      ticks: { autoSkip: false },
    };
    return {
      ...common,
      indexAxis: spec.horizontal ? "y" : "x",
      scales: spec.horizontal ? { x: value, y: category } : { x: category, y: value },
    };
  }

  function draw(canvas) {
    const source = document.getElementById(canvas.dataset.chart);
    const box = canvas.parentElement;
    if (!source || Chart.getChart(canvas)) {
      return;
    }
    const spec = JSON.parse(source.textContent);
    const labels = spec.kind === "bar" ? spec.labels.map((label) => wrap(label)) : spec.labels;
    if (spec.horizontal) {
      // Room for every bar and its name: a horizontal chart grows with its categories.
      // (Setting a style property from script is allowed by the policy; a style attribute in
      // the HTML is not.)
      const bars = spec.stacked ? 1 : spec.datasets.length;
      const lines = Math.max(...labels.map((label) => (Array.isArray(label) ? label.length : 1)));
      const row = Math.max(lines * 1.25 + 0.5, 1 + bars * 1.25);
      box.style.height = `${4 + spec.labels.length * row}rem`;
    }
    box.hidden = false;
    try {
      new Chart(canvas, {
        type: spec.kind,
        data: { labels, datasets: datasets(spec) },
        options: options(spec),
      });
    } catch (error) {
      box.hidden = true;
      throw error;
    }
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();
