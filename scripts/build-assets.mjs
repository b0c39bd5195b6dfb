#!/usr/bin/env node
// Builds Homeward's front-end assets into homeward/web/static/build/:
//   homeward.css             compiled from homeward/web/assets/homeward.scss
//   govuk-frontend.min.js    GOV.UK Frontend's JavaScript (an ES module)
//   images/                  the images GOV.UK Frontend's CSS refers to
//   leaflet/                 Leaflet's script, stylesheet and images (the hotspot map)
//
// Run with `npm ci && npm run build`. The output directory is git-ignored.

import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const source = join(root, "homeward", "web", "assets", "homeward.scss");
const out = join(root, "homeward", "web", "static", "build");

if (!existsSync(govuk)) {
  console.error("node_modules/govuk-frontend is missing: run `npm ci` first.");
  process.exit(1);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const result = sass.compile(source, {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  sourceMap: false,
  quietDeps: true,
  // GOV.UK Frontend 5 is written with @import; Homeward imports it the same way.
  silenceDeprecations: ["import", "global-builtin", "slash-div", "color-functions"],
});
writeFileSync(join(out, "homeward.css"), result.css);

cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));

// The images Homeward's pages use. None of GOV.UK's own (the crown, the crest
// in the footer, the GOV.UK icons): those belong to GOV.UK itself, and the
// footer's crest is not used, so nothing is copied unless listed here.
const wanted = [];
const images = join(govuk, "assets", "images");
const used = readdirSync(images).filter((name) => wanted.includes(name));
if (used.length) {
  mkdirSync(join(out, "images"), { recursive: true });
  for (const name of used) cpSync(join(images, name), join(out, "images", name));
}

// Leaflet, for the hotspot map: its script, stylesheet and marker images.
const leaflet = join(root, "node_modules", "leaflet", "dist");
mkdirSync(join(out, "leaflet", "images"), { recursive: true });
for (const name of ["leaflet.js", "leaflet.css"]) cpSync(join(leaflet, name), join(out, "leaflet", name));
for (const name of readdirSync(join(leaflet, "images"))) cpSync(join(leaflet, "images", name), join(out, "leaflet", "images", name));

console.log(`Built ${out}: homeward.css (${result.css.length} bytes), govuk-frontend.min.js` +
  (used.length ? `, images: ${used.join(", ")}` : ""));
