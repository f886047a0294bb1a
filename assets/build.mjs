// Builds procure/static/dist from GOV.UK Frontend (npm, pinned) and our Sass.
// Nothing built is committed: `make` runs this whenever the inputs change.
import { cpSync, mkdirSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "procure", "static", "dist");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const css = sass.compile(join(root, "assets", "procure.scss"), {
  style: "compressed",
  importers: [new sass.NodePackageImporter()],
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "procure.css"), css.css);

cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
cpSync(join(root, "assets", "procure.mjs"), join(out, "procure.mjs"));
// Only the images the components need; the GOV.UK fonts and crown images stay out.
mkdirSync(join(out, "assets", "images"), { recursive: true });
cpSync(join(root, "assets", "favicon.svg"), join(out, "favicon.svg"));

const stamp = createHash("sha256")
  .update(css.css)
  .update(readFileSync(join(out, "procure.mjs")))
  .digest("hex")
  .slice(0, 12);
writeFileSync(join(out, "STAMP"), stamp + "\n");
console.log(`built ${out} (${stamp})`);
