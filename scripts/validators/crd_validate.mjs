// crd-validate: check custom resources in YAML files against their CRDs' schemas, which
// kubernetes-validate does not have: the Gateway API (HTTPRoute, Gateway...) and Argo CD
// (Application, AppProject) and prometheus-operator (ServiceMonitor, PrometheusRule...), from
// npm @kubernetes-models/gateway-api, @kubernetes-models/argo-cd and
// @kubernetes-models/prometheus-operator (each project's CRD OpenAPI schemas compiled for ajv).
// AKS managed Prometheus's azmonitoring.coreos.com/v1 kinds are prometheus-operator's under
// another group: they are checked against prometheus-operator's schema of the same kind.
// usage: node crd_validate.mjs FILE...   (needs NODE_PATH pointing at its node_modules)
// Objects of other API groups are skipped. Prints one line per invalid object; exits 1 if any.
import fs from "fs";
import { createRequire } from "module";
const require = createRequire(process.env.NODE_PATH + "/");
const { parseAllDocuments } = require("yaml");

const PACKAGES = {
  "gateway.networking.k8s.io": "@kubernetes-models/gateway-api",
  "argoproj.io": "@kubernetes-models/argo-cd",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
  "azmonitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};
// The group whose schemas a group's objects are checked against.
const SCHEMA_GROUP = { "azmonitoring.coreos.com": "monitoring.coreos.com" };
let bad = 0;
let checked = 0;
for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(fs.readFileSync(file, "utf8"));
  for (const doc of docs) {
    if (doc.errors.length) { bad++; console.log(`${file}: ${doc.errors[0].message}`); continue; }
    let obj = doc.toJS();
    const [group, version] = String(obj?.apiVersion).split("/");
    if (!obj || !PACKAGES[group]) continue;
    const schemaGroup = SCHEMA_GROUP[group] || group;
    if (schemaGroup !== group) obj = { ...obj, apiVersion: `${schemaGroup}/${version}` };
    let model;
    try {
      model = await import(`${PACKAGES[group]}/${schemaGroup}/${version}/${obj.kind}`);
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
