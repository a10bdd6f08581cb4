// hcl2json: prints what HashiCorp's HCL v2 parser (npm @cdktf/hcl2json, Go hashicorp/hcl
// compiled to WASM) reads in each file, as JSON: {"FILE": {...}, ...}. Exits 1 when a file
// does not parse. usage: node hcl2json.cjs FILE...   (needs NODE_PATH at its node_modules)
const fs = require("fs");
const { parse } = require("@cdktf/hcl2json");

(async () => {
  const out = {};
  for (const file of process.argv.slice(2)) {
    try {
      out[file] = await parse(file, fs.readFileSync(file, "utf8"));
    } catch (e) {
      console.error(String(e.message || e));
      process.exit(1);
    }
  }
  process.stdout.write(JSON.stringify(out));
})();
