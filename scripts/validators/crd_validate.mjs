// crd-validate: check custom resources in YAML files against their CRDs' schemas, which
// kubernetes-validate does not have: the Gateway API (HTTPRoute, Gateway...) and Argo CD
// (Application, AppProject), from npm @kubernetes-models/gateway-api and
// @kubernetes-models/argo-cd (each project's CRD OpenAPI schemas compiled for ajv).
// usage: node crd_validate.mjs FILE...   (needs NODE_PATH pointing at its node_modules)
// Objects of other API groups are skipped. Prints one line per invalid object; exits 1 if any.
import fs from "fs";
import { createRequire } from "module";
const require = createRequire(process.env.NODE_PATH + "/");
const { parseAllDocuments } = require("yaml");

const PACKAGES = {
  "gateway.networking.k8s.io": "@kubernetes-models/gateway-api",
  "argoproj.io": "@kubernetes-models/argo-cd",
};
let bad = 0;
let checked = 0;
for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(fs.readFileSync(file, "utf8"));
  for (const doc of docs) {
    if (doc.errors.length) { bad++; console.log(`${file}: ${doc.errors[0].message}`); continue; }
    const obj = doc.toJS();
    const [group, version] = String(obj?.apiVersion).split("/");
    if (!obj || !PACKAGES[group]) continue;
    let model;
    try {
      model = await import(`${PACKAGES[group]}/${group}/${version}/${obj.kind}`);
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
if (!bad) console.log(`${checked} custom resource(s) valid`);
process.exit(bad ? 1 : 0);
