// Builds static/css/main.css from static/scss/main.scss and copies the vendored scripts into
// static/vendor/: GOV.UK Frontend's, Chart.js's and GOV.UK's accessible autocomplete's, each with its source map, which whitenoise's
// manifest storage needs (collectstatic fails on a map a script names but that is missing).
// Run `make assets`.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const modules = join(root, "node_modules");

const result = sass.compile(join(root, "static", "scss", "main.scss"), {
  loadPaths: [modules],
  style: "compressed",
  quietDeps: true,
});
mkdirSync(join(root, "static", "css"), { recursive: true });
writeFileSync(join(root, "static", "css", "main.css"), result.css + "\n");

const vendored = [
  ["govuk-frontend", join("govuk-frontend", "dist", "govuk"), ["govuk-frontend.min.js"]],
  ["chart.js", join("chart.js", "dist"), ["chart.umd.min.js"]],
  ["accessible-autocomplete", join("accessible-autocomplete", "dist"), ["accessible-autocomplete.min.js"]],
];
for (const [name, source, scripts] of vendored) {
  const target = join(root, "static", "vendor", name);
  mkdirSync(target, { recursive: true });
  for (const script of scripts) {
    for (const file of [script, `${script}.map`]) {
      copyFileSync(join(modules, source, file), join(target, file));
    }
  }
}
console.log("Built static/css/main.css and copied the vendored scripts.");
