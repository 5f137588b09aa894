// Builds plotly.js with only the trace types Gradeline draws: run by
// scripts/refresh_plotly.py, which installs plotly.js, esbuild and acorn beside this file's
// copy. Usage: node plotly-bundle.mjs ENTRY OUTFILE BANNER
//
// As plotly.js's own minified bundles do, it leaves out the attributes' descriptions (text
// for plotly's schema and documentation, never shown on a chart): each `description`
// property of an object literal in an *attributes.js file, found by parsing the file.
import { readFile } from "node:fs/promises";
import * as acorn from "acorn";
import * as esbuild from "esbuild";

const [entry, outfile, banner] = process.argv.slice(2);

/** The source without its object literals' `description` properties. */
function withoutDescriptions(source) {
  const tree = acorn.parse(source, { ecmaVersion: "latest", sourceType: "script" });
  const cuts = [];
  const visit = (node) => {
    if (node.type === "ObjectExpression") {
      node.properties.forEach((prop, i) => {
        const key = prop.type === "Property" && !prop.computed
          && (prop.key.name ?? prop.key.value);
        if (key === "description") {
          // Up to the next property, or past a trailing comma after the last.
          const next = node.properties[i + 1];
          const trailing = /^\s*,/.exec(source.slice(prop.end));
          cuts.push([prop.start, next ? next.start : prop.end + (trailing ? trailing[0].length : 0)]);
        }
      });
    }
    for (const value of Object.values(node)) {
      for (const child of Array.isArray(value) ? value : [value]) {
        if (child && typeof child.type === "string") { visit(child); }
      }
    }
  };
  visit(tree);
  let out = source;
  for (const [start, end] of cuts.sort((a, b) => b[0] - a[0])) {
    out = out.slice(0, start) + out.slice(end);
  }
  return out;
}

const stripDescriptions = {
  name: "strip-attribute-descriptions",
  setup(build) {
    build.onLoad({ filter: /plotly\.js[\\/]src[\\/].*attributes\.js$/ }, async (args) => ({
      contents: withoutDescriptions(await readFile(args.path, "utf8")), loader: "js",
    }));
  },
};

await esbuild.build({
  entryPoints: [entry], outfile, bundle: true, minify: true, format: "iife",
  globalName: "Plotly", target: "es2016", legalComments: "eof", charset: "utf8",
  // As plotly.js's own build sets them.
  define: { global: "window", "define.amd": "false" },
  // maplibre's stylesheet is required by code for map traces, which are not registered.
  loader: { ".css": "empty" },
  banner: { js: banner }, plugins: [stripDescriptions], logLevel: "warning",
});
