// Builds plotly.js with only the trace types Gradeline draws: run by
// scripts/refresh_plotly.py, which installs plotly.js and esbuild beside this file's copy.
// Usage: node plotly-bundle.mjs ENTRY OUTFILE BANNER
import * as esbuild from "esbuild";

const [entry, outfile, banner] = process.argv.slice(2);

await esbuild.build({
  entryPoints: [entry], outfile, bundle: true, minify: true, format: "iife",
  globalName: "Plotly", target: "es2016", legalComments: "eof", charset: "utf8",
  // As plotly.js's own build sets them.
  define: { global: "window", "define.amd": "false" },
  // maplibre's stylesheet is required by code for map traces, which are not registered.
  loader: { ".css": "empty" },
  banner: { js: banner }, logLevel: "warning",
});
