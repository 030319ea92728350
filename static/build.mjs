// Builds static/css/main.css from static/scss/main.scss and copies GOV.UK Frontend's script (with
// its source map, which whitenoise's manifest storage needs) into static/vendor/. Run `make assets`.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const frontend = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const vendor = join(root, "static", "vendor", "govuk-frontend");

const result = sass.compile(join(root, "static", "scss", "main.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
});
mkdirSync(join(root, "static", "css"), { recursive: true });
writeFileSync(join(root, "static", "css", "main.css"), result.css + "\n");

mkdirSync(vendor, { recursive: true });
for (const name of ["govuk-frontend.min.js", "govuk-frontend.min.js.map"]) {
  copyFileSync(join(frontend, name), join(vendor, name));
}
console.log("Built static/css/main.css and copied GOV.UK Frontend's script.");
