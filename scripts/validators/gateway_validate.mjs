// gateway-validate: check Gateway API objects (HTTPRoute, Gateway, GRPCRoute...) in YAML
// files against the schemas of the Gateway API CRDs, which kubernetes-validate does not have
// (npm @kubernetes-models/gateway-api: the CRDs' OpenAPI schemas compiled for ajv).
// usage: node gateway_validate.mjs FILE...   (needs NODE_PATH pointing at its node_modules)
// Objects of other API groups are skipped. Prints one line per invalid object; exits 1 if any.
import fs from "fs";
import { createRequire } from "module";
const require = createRequire(process.env.NODE_PATH + "/");
const { parseAllDocuments } = require("yaml");

const GROUPS = ["gateway.networking.k8s.io/"];
let bad = 0;
let checked = 0;
for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(fs.readFileSync(file, "utf8"));
  for (const doc of docs) {
    if (doc.errors.length) { bad++; console.log(`${file}: ${doc.errors[0].message}`); continue; }
    const obj = doc.toJS();
    if (!obj || !GROUPS.some((g) => String(obj.apiVersion).startsWith(g))) continue;
    const [group, version] = obj.apiVersion.split("/");
    let model;
    try {
      model = await import(`@kubernetes-models/gateway-api/${group}/${version}/${obj.kind}`);
    } catch {
      bad++; console.log(`${file}: no schema for ${obj.apiVersion} ${obj.kind}`); continue;
    }
    try {
      new model[obj.kind](obj).validate();
      checked++;
    } catch (e) {
      bad++; console.log(`${file}: ${obj.kind}/${obj.metadata?.name}: ${e.message}`);
    }
  }
}
if (!bad) console.log(`${checked} Gateway API object(s) valid`);
process.exit(bad ? 1 : 0);
