# What runs inside the cluster: the services' namespaces, the AWS Load Balancer Controller (the
# `alb` IngressClass the charts' Ingresses name), Cluster Autoscaler, ExternalDNS (each Ingress
# host's record in the zone), the gp3 StorageClass the volumes are made in and the snapshot
# class, what watches the services (kube-prometheus-stack and Loki: modules/observability),
# Argo CD with GitOps, and the deploy role's Roles. The volumes'
# backups are AWS Backup's, in the platform root. Applied after the platform root (terraform/), in the
# workspace of the same environment; every value comes from that root's state.

# The services' namespaces, made here so that the deploy role needs no right outside them;
# each enforces the restricted Pod Security Standard.
# The load balancer controller injects a readiness gate into their pods: a rolling update
# waits until the load balancer sends the new pod traffic before the next old pod goes. They
# are made after the controllers and ExternalDNS, so that a destroy deletes them (and the
# Ingresses and claims in them) while the controllers still run to remove the load balancer,
# the records and the volumes.
resource "kubernetes_namespace_v1" "service" {
  for_each = toset(local.platform.namespaces)
  metadata {
    name = each.value
    labels = {
      "pod-security.kubernetes.io/enforce"         = "restricted"
      "pod-security.kubernetes.io/enforce-version" = "latest"
      "pod-security.kubernetes.io/warn"            = "restricted"
      "pod-security.kubernetes.io/audit"           = "restricted"
      "elbv2.k8s.aws/pod-readiness-gate-inject"    = "enabled"
    }
  }
  depends_on = [helm_release.load_balancer_controller, helm_release.external_dns]
}

# The CRDs the controllers read, applied server-side here, object by object, before the
# controllers, and upgraded with their chart's version by the next apply: Helm installs a
# chart's `crds/` folder on the first install alone and never upgrades it.
# - the AWS Load Balancer Controller's own (TargetGroupBinding, IngressClassParams, and the
#   Gateway API's configurations of gateway.k8s.aws), from its chart's `crds/` folder;
# - where a service routes through an HTTPRoute (platform root: in_cluster.gateway), the
#   Gateway API's, standard channel, which the controller looks for when it starts: the
#   templates of Envoy Gateway's CRD chart (its Envoy Gateway CRDs off), with the policy that
#   refuses an older or experimental copy over them. A Helm release of that chart would
#   exceed the 1 MiB Secret Helm keeps its record in (envoyproxy/gateway#6105).
# Rendering them needs each chart's registry at plan time (docker.io for the Gateway API's).
locals {
  # (A platform root applied by an older gen has no such output: no Gateway.)
  gateway = try(local.platform.gateway, null)
  # (Each file's objects differ in type: a condition may choose between lists of files alone.)
  crd_files = concat(
    data.helm_template.load_balancer_controller.crds,
    local.gateway == null ? [] : [data.helm_template.gateway_api_crds[0].manifest],
  )
  crd_objects = flatten([for file in local.crd_files : provider::kubernetes::manifest_decode_multi(file)])
}

data "helm_template" "load_balancer_controller" {
  name       = "aws-load-balancer-controller"
  repository = "https://aws.github.io/eks-charts"
  chart      = "aws-load-balancer-controller"
  version    = var.load_balancer_controller_chart_version
  namespace  = "kube-system"
  values     = [yamlencode({ clusterName = local.cluster.name })]
}

data "helm_template" "gateway_api_crds" {
  count      = local.gateway == null ? 0 : 1
  name       = "gateway-api-crds"
  repository = "oci://docker.io/envoyproxy"
  chart      = "gateway-crds-helm"
  version    = var.gateway_api_crds_chart_version
  namespace  = "kube-system"

  values = [yamlencode({
    crds = {
      gatewayAPI   = { enabled = true, channel = "standard" }
      envoyGateway = { enabled = false }
    }
  })]
}

resource "kubernetes_manifest" "crds" {
  for_each = { for object in local.crd_objects : object.metadata.name => object if object.kind == "CustomResourceDefinition" }
  manifest = each.value

  # Fields an admin applied by hand, or Helm's first install, had another manager.
  field_manager {
    force_conflicts = true
  }

  wait {
    condition {
      type   = "Established"
      status = "True"
    }
  }
}

# The Gateway API's ValidatingAdmissionPolicy and its binding (no condition to wait for).
resource "kubernetes_manifest" "crd_policies" {
  for_each = { for object in local.crd_objects : "${object.kind}/${object.metadata.name}" => object if object.kind != "CustomResourceDefinition" }
  manifest = each.value

  field_manager {
    force_conflicts = true
  }

  depends_on = [kubernetes_manifest.crds]
}

# The AWS Load Balancer Controller, as the role of the platform root's Pod Identity
# association: one ALB per project (the charts' `group.name`), reaching pods at their
# addresses, and one per Gateway. Two replicas, which a node drain cannot stop together; its
# webhook's certificate is the chart's own. It is given the region and the VPC: the nodes'
# instance metadata is out of pods' reach. Its CRDs are applied above (skip_crds). With a
# Gateway, its pods restart once the Gateway API's CRDs are there (it looks for them when it
# starts; their annotation names the CRDs' release), and it serves Gateways on ALBs alone: the
# standard channel's TCP, UDP and TLS routes would otherwise start its NLB Gateway controller.
resource "helm_release" "load_balancer_controller" {
  name       = "aws-load-balancer-controller"
  repository = "https://aws.github.io/eks-charts"
  chart      = "aws-load-balancer-controller"
  version    = var.load_balancer_controller_chart_version
  namespace  = "kube-system"
  skip_crds  = true
  atomic     = true
  timeout    = 600 # seconds
  wait       = true

  values = [yamlencode({
    clusterName  = local.cluster.name
    region       = local.cluster.region
    vpcId        = local.platform.vpc_id
    replicaCount = 2
    serviceAccount = {
      create = true
      name   = "aws-load-balancer-controller"
    }
    createIngressClassResource = true
    ingressClass               = "alb"
    podDisruptionBudget        = { maxUnavailable = 1 }
    podAnnotations             = local.gateway == null ? {} : { "gen.dev/gateway-api-crds" = var.gateway_api_crds_chart_version }
    controllerConfig = {
      featureGates = local.gateway == null ? {} : { NLBGatewayAPI = false }
    }
  })]

  depends_on = [kubernetes_manifest.crds, kubernetes_manifest.crd_policies]
}

# Cluster Autoscaler grows the node groups while pods wait for room (up to maxSize in all)
# and shrinks them back (to minSize), finding them by the tags EKS gives a managed node group;
# as the role of the platform root's Pod Identity association. Its image is the release of
# the cluster's Kubernetes minor, as the project requires. A group per zone: a pod waiting
# for its volume's zone gets a node there, and the groups are otherwise kept the same size.
# A node is removed once its pods fit elsewhere for 10 minutes, emptyDir volumes
# (the services' /tmp) included; a PodDisruptionBudget holds each service's replicas.
locals {
  # (A platform root applied by an older gen has no such output: no autoscaler until it is
  # applied again, first in the same run, rather than the release of a guessed minor.)
  kubernetes_version = try(local.cluster.kubernetes_version, null)
}

resource "helm_release" "cluster_autoscaler" {
  count      = local.kubernetes_version == null ? 0 : 1
  name       = "cluster-autoscaler"
  repository = "https://kubernetes.github.io/autoscaler"
  chart      = "cluster-autoscaler"
  version    = var.cluster_autoscaler_chart_version
  namespace  = "kube-system"
  atomic     = true
  timeout    = 600 # seconds
  wait       = true

  values = [yamlencode({
    cloudProvider = "aws"
    awsRegion     = local.cluster.region
    autoDiscovery = { clusterName = local.cluster.name }
    image         = { tag = lookup(var.cluster_autoscaler_images, local.kubernetes_version, "") }
    rbac = {
      serviceAccount = { create = true, name = "cluster-autoscaler" }
    }
    # A node group per zone (modules/eks): a pending pod's volume names its zone, and the
    # groups are kept the same size otherwise. The AWS comparator ignores the groups' own
    # labels and the EBS zone's, but not the zone id EKS labels each node with, which
    # differs from zone to zone: without it ignored, no two groups would be similar.
    extraArgs = {
      expander                        = "least-waste"
      "skip-nodes-with-local-storage" = false
      "balance-similar-node-groups"   = true
      "balancing-ignore-label"        = "topology.k8s.aws/zone-id"
    }
    resources = {
      requests = { cpu = "100m", memory = "300Mi" }
      limits   = { memory = "600Mi" }
    }
    containerSecurityContext = {
      allowPrivilegeEscalation = false
      readOnlyRootFilesystem   = true
      capabilities             = { drop = ["ALL"] }
    }
  })]

  # The load balancer controller's webhook admits every Service made after it installs,
  # the chart's own among them: it runs first.
  depends_on = [helm_release.load_balancer_controller]

  lifecycle {
    precondition {
      condition     = contains(keys(var.cluster_autoscaler_images), local.kubernetes_version)
      error_message = "No Cluster Autoscaler image is pinned for Kubernetes ${local.kubernetes_version} (variables.tf: cluster_autoscaler_images): a newer gen pins it."
    }
  }
}

# ExternalDNS writes the record of each Ingress host in the zone once the load balancer has an
# address, and removes it with the Ingress; it owns the records it wrote alone (their TXT
# registry, this cluster's id), so that environments sharing the zone never touch each
# other's.
resource "helm_release" "external_dns" {
  count      = local.platform.dns_zone == null ? 0 : 1
  name       = "external-dns"
  repository = "https://kubernetes-sigs.github.io/external-dns/"
  chart      = "external-dns"
  version    = var.external_dns_chart_version
  namespace  = "kube-system"
  atomic     = true
  timeout    = 600 # seconds
  wait       = true

  values = [yamlencode({
    provider       = { name = "aws" }
    sources        = local.gateway == null ? ["ingress"] : ["ingress", "gateway-httproute"]
    domainFilters  = [local.platform.dns_zone]
    policy         = "sync"
    registry       = "txt"
    txtOwnerId     = local.cluster.name
    serviceAccount = { create = true, name = "external-dns" }
    env            = [{ name = "AWS_DEFAULT_REGION", value = local.cluster.region }]
    # The shared root's zone alone, not a private zone of the same name.
    extraArgs = ["--zone-id-filter=${local.platform.dns_zone_id}", "--aws-zone-type=public"]
  })]

  depends_on = [helm_release.load_balancer_controller]
}

# The Gateway the services' HTTPRoutes attach to, an ALB of its own (modules/gateway), with
# the certificates of its TLS hosts (the platform root's) and a target group per routed
# service.
module "gateway" {
  source = "./modules/gateway"
  count  = local.gateway == null ? 0 : 1

  name             = try(local.gateway.name, null)
  namespace        = try(local.gateway.namespace, null)
  route_namespaces = local.platform.namespaces
  tls_hosts        = try(local.gateway.tls_hosts, null)
  certificates     = try(local.gateway.certificates, null)
  backends         = try(local.gateway.backends, null)
  subnets          = try(local.platform.load_balancer_subnets, null)

  # Its objects are the Gateway API's kinds and the controller's (the controller's chart
  # brings its CRDs); the services' target groups go in their namespaces. On a destroy it
  # goes first, while the controller runs to remove the load balancer and ExternalDNS the
  # records.
  depends_on = [helm_release.load_balancer_controller, helm_release.external_dns, kubernetes_namespace_v1.service]
}

# gp3 volumes through the EBS CSI driver, encrypted, made in the zone of the pod's node: the
# cluster's default class, which every claim gen renders names. (EKS's own gp2 class is the
# in-tree provisioner's and no longer the default.)
resource "kubernetes_storage_class_v1" "gp3" {
  metadata {
    name = "gp3"
    annotations = {
      "storageclass.kubernetes.io/is-default-class" = "true"
    }
  }
  storage_provisioner    = "ebs.csi.aws.com"
  reclaim_policy         = "Delete"
  volume_binding_mode    = "WaitForFirstConsumer"
  allow_volume_expansion = true
  parameters = {
    type      = "gp3"
    encrypted = "true"
  }
}

# What watches the services, as on AKS (modules/observability, the same module):
# kube-prometheus-stack (prometheus-operator, Prometheus, Alertmanager, Grafana,
# kube-state-metrics and the node exporter) and Fluent Bit to Loki, with the values gen renders
# in stack/ and their volumes on gp3; the services' SLO rules (monitoring/prometheusrule.yaml)
# and each one's dashboard (monitoring/<service>/). The stack's own rules watch the workloads
# of every namespace (crash loops, pods not ready, stalled rollouts, volumes filling up).
# Alertmanager mails the platform's alert addresses through the pipeline's SMTP relay
# (MAIL_CONNECTION, which the workflow hands this root).
locals {
  # (A platform root applied by an older gen has no such output: no stack, until the
  # platform root is applied again, first in the same run.)
  observability = try(local.platform.observability, {
    metrics = "none", logs = "none", alerts = [], alert_emails = [], slo_services = []
  })
  kube_prometheus_stack = local.observability.metrics == "kube-prometheus-stack"
  loki                  = local.observability.logs == "loki"
  stack_values          = "${path.root}/../../stack"
  monitored             = "${path.root}/../../monitoring"
  # The services whose rule and dashboard files are read: only where the stack runs
  # (elsewhere they may not exist).
  monitored_services = local.kube_prometheus_stack ? local.observability.slo_services : []
}

module "observability" {
  source = "./modules/observability"

  metrics                      = local.kube_prometheus_stack
  logs                         = local.loki
  kube_prometheus_stack_values = local.kube_prometheus_stack ? file("${local.stack_values}/kube-prometheus-stack.yaml") : null
  loki_values                  = local.loki ? file("${local.stack_values}/loki.yaml") : null
  fluent_bit_values            = local.loki ? file("${local.stack_values}/fluent-bit.yaml") : null
  storage_class                = kubernetes_storage_class_v1.gp3.metadata[0].name
  alert_emails                 = local.observability.alert_emails
  sns                          = try(local.observability.sns, null)
  smtp                         = var.alertmanager_smtp
  smtp_password                = var.alertmanager_smtp_password
  mail_from                    = var.alertmanager_mail_from
  rules                        = local.observability.alerts
  objects = concat(
    # A PrometheusRule per set of rules, one YAML document each.
    length(local.monitored_services) > 0 ? split("\n---\n", file("${local.monitored}/prometheusrule.yaml")) : [],
    [for s in local.monitored_services : file("${local.monitored}/${s}/dashboard.yaml")],
  )

  # The services' rules and dashboards are in the stack's namespace; they are made once the
  # namespaces of the services they watch are.
  depends_on = [kubernetes_namespace_v1.service]
}

# The class of a VolumeSnapshot taken by hand (the scheduled backups are AWS Backup's): the
# snapshot controller and its CRDs are the platform root's add-on.
resource "kubernetes_manifest" "snapshot_class" {
  manifest = {
    apiVersion     = "snapshot.storage.k8s.io/v1"
    kind           = "VolumeSnapshotClass"
    metadata       = { name = "ebs-csi" }
    driver         = "ebs.csi.aws.com"
    deletionPolicy = "Delete"
  }
}

# GitOps: Argo CD in the cluster syncs each service's chart from the branch; GitHub holds no
# credential that writes in the cluster. The same module as on AKS.
module "argocd" {
  source = "./modules/argocd"
  count  = local.gitops ? 1 : 0

  # The load balancer controller's webhooks answer before Argo CD's pods and Services are
  # made.
  depends_on = [helm_release.load_balancer_controller]
}

# Each service namespace serves its own hosts alone: an Ingress or an HTTPRoute there that
# names another host (another environment's on the same cluster, or any name in the zone,
# which ExternalDNS would point at it), or asks ExternalDNS for one by annotation, is refused
# at admission, whoever writes it. The hosts are the spec's (platform root:
# in_cluster.namespace_hosts), in a CEL map the policy reads per namespace.
locals {
  # (A platform root applied by an older gen has no such output: no policy until it is
  # applied again.)
  namespace_hosts = try(local.platform.namespace_hosts, {})
  ingress_groups  = try(local.platform.ingress_groups, {})
  hosts_policy = {
    # Not an object being deleted: the load balancer controller's removal of its finalizer
    # from an Ingress whose host has left the spec goes through.
    match_conditions = [{ name = "not-being-deleted", expression = "!has(object.metadata.deletionTimestamp)" }]
    variables = [
      { name = "hosts", expression = "${jsonencode(local.namespace_hosts)}[request.namespace]" },
      { name = "group", expression = "${jsonencode(local.ingress_groups)}[request.namespace]" },
      { name = "annotations", expression = "has(object.metadata.annotations) ? object.metadata.annotations : {}" },
    ]
    validations = [
      {
        expression = "request.resource.resource != 'ingresses' || ('alb.ingress.kubernetes.io/group.name' in variables.annotations && variables.annotations['alb.ingress.kubernetes.io/group.name'] == variables.group && !('alb.ingress.kubernetes.io/load-balancer-name' in variables.annotations))"
        message    = "An Ingress in this namespace joins its environment's load balancer alone (its alb.ingress.kubernetes.io/group.name; no load-balancer-name)."
      },
      {
        expression = "request.resource.resource != 'ingresses' || (!has(object.spec.defaultBackend) && has(object.spec.rules) && object.spec.rules.all(r, has(r.host) && r.host in variables.hosts) && (!has(object.spec.tls) || object.spec.tls.all(t, !has(t.hosts) || t.hosts.all(h, h in variables.hosts))))"
        message    = "An Ingress in this namespace names a host of its own alone (each rule one of the spec's hosts for it; no default backend)."
      },
      {
        expression = "request.resource.resource != 'httproutes' || (has(object.spec.hostnames) && size(object.spec.hostnames) > 0 && object.spec.hostnames.all(h, h in variables.hosts))"
        message    = "An HTTPRoute in this namespace names hosts of its own alone (one or more of the spec's hosts for it)."
      },
      {
        expression = "!('external-dns.alpha.kubernetes.io/hostname' in variables.annotations) && !('external-dns.alpha.kubernetes.io/internal-hostname' in variables.annotations)"
        message    = "ExternalDNS writes the hosts of the Ingresses and routes alone: no hostname annotation."
      },
    ]
  }
}

resource "kubernetes_manifest" "hosts_policy" {
  count = length(local.namespace_hosts) > 0 ? 1 : 0
  manifest = {
    apiVersion = "admissionregistration.k8s.io/v1"
    kind       = "ValidatingAdmissionPolicy"
    metadata   = { name = "gen-namespace-hosts" }
    spec = {
      failurePolicy = "Fail"
      matchConstraints = {
        namespaceSelector = {
          matchExpressions = [{ key = "kubernetes.io/metadata.name", operator = "In", values = keys(local.namespace_hosts) }]
        }
        resourceRules = [
          { apiGroups = ["networking.k8s.io"], apiVersions = ["*"], operations = ["CREATE", "UPDATE"], resources = ["ingresses"] },
          { apiGroups = ["gateway.networking.k8s.io"], apiVersions = ["*"], operations = ["CREATE", "UPDATE"], resources = ["httproutes"] },
        ]
      }
      matchConditions = local.hosts_policy.match_conditions
      variables       = local.hosts_policy.variables
      validations     = local.hosts_policy.validations
    }
  }
}

resource "kubernetes_manifest" "hosts_policy_binding" {
  count = length(local.namespace_hosts) > 0 ? 1 : 0
  manifest = {
    apiVersion = "admissionregistration.k8s.io/v1"
    kind       = "ValidatingAdmissionPolicyBinding"
    metadata   = { name = "gen-namespace-hosts" }
    spec = {
      policyName        = kubernetes_manifest.hosts_policy[0].manifest.metadata.name
      validationActions = ["Deny"]
      matchResources = {
        namespaceSelector = {
          matchExpressions = [{ key = "kubernetes.io/metadata.name", operator = "In", values = keys(local.namespace_hosts) }]
        }
      }
    }
  }
}

# With Helm, the deploy role may write exactly the kinds its releases contain, in the
# services' namespaces only, plus Helm's release records and what `helm upgrade --wait` reads.
# No Secret: the deploy job keeps Helm's release records in ConfigMaps (HELM_DRIVER=configmap),
# and the chart has no Secret. With GitOps it writes nothing in the cluster: it reads the
# services' pods and routes there, and Argo CD's Applications (below), while it waits for a
# release. Bound to the group its access entry puts it in.
locals {
  gitops = local.platform.deploy == "gitops"
  write  = ["get", "list", "watch", "create", "update", "patch", "delete"]
  keep   = ["get", "list", "watch", "create", "update", "patch"]
  read   = ["get", "list", "watch"]
  release_reader_rules = concat(
    [{ api_groups = [""], resources = ["pods", "events"], verbs = local.read }],
    local.gateway == null ? [] : [{ api_groups = ["gateway.networking.k8s.io"], resources = ["httproutes"], verbs = local.read }],
  )
  deploy_rules = local.gitops ? local.release_reader_rules : concat(
    [
      { api_groups = [""], resources = ["configmaps", "services", "serviceaccounts"], verbs = local.write },
      { api_groups = [""], resources = ["pods", "events"], verbs = local.read },
      { api_groups = ["apps"], resources = ["deployments"], verbs = local.write },
      { api_groups = ["apps"], resources = ["replicasets"], verbs = local.read },
      { api_groups = ["autoscaling"], resources = ["horizontalpodautoscalers"], verbs = local.write },
      { api_groups = ["policy"], resources = ["poddisruptionbudgets"], verbs = local.write },
      { api_groups = ["networking.k8s.io"], resources = ["networkpolicies", "ingresses"], verbs = local.write },
    ],
    # The services' HTTPRoutes, where the Gateway API's CRDs are installed.
    local.gateway == null ? [] : [{ api_groups = ["gateway.networking.k8s.io"], resources = ["httproutes"], verbs = local.write }],
    # The services' ServiceMonitors, where kube-prometheus-stack (modules/observability)
    # installs prometheus-operator's kind.
    local.kube_prometheus_stack ? [{ api_groups = ["monitoring.coreos.com"], resources = ["servicemonitors"], verbs = local.write }] : [],
  )
  # The claim, which Helm keeps (helm.sh/resource-policy: keep) and never deletes: nor may
  # this role. In the namespaces of an environment with a volume alone.
  claim_rules = local.gitops ? [] : [{ api_groups = [""], resources = ["persistentvolumeclaims"], verbs = local.keep }]
  # Each namespace's deploy group: the group of the environment whose services are in it
  # (`gen-deploy`, or `gen-deploy-<environment>` for an environment on a cluster another one
  # creates), which its deploy role's access entry puts it in. (A platform root applied by an
  # older gen has one environment's namespaces and one group.)
  deploy_groups = try(local.platform.deploy_groups, {
    for namespace in local.platform.namespaces : namespace => local.platform.deploy_group if local.platform.deploy_group != null
  })
  claim_namespaces = try(local.platform.claim_namespaces, local.platform.persistent_volumes ? local.platform.namespaces : [])
}

resource "kubernetes_role_v1" "deploy" {
  for_each = local.deploy_groups
  metadata {
    name      = "gen-deploy"
    namespace = kubernetes_namespace_v1.service[each.key].metadata[0].name
  }
  dynamic "rule" {
    for_each = concat(local.deploy_rules, contains(local.claim_namespaces, each.key) ? local.claim_rules : [])
    content {
      api_groups = rule.value.api_groups
      resources  = rule.value.resources
      verbs      = rule.value.verbs
    }
  }
}

resource "kubernetes_role_binding_v1" "deploy" {
  for_each = local.deploy_groups
  metadata {
    name      = "gen-deploy"
    namespace = each.key
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.deploy[each.key].metadata[0].name
  }
  subject {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Group"
    name      = each.value
  }
}

# GitOps: the deploy role reads Argo CD's Applications, to wait until the release it
# promoted is synced and healthy before the next environment.
resource "kubernetes_role_v1" "release_reader" {
  count = local.gitops ? 1 : 0

  metadata {
    name      = "gen-release-reader"
    namespace = module.argocd[0].namespace
  }
  rule {
    api_groups = ["argoproj.io"]
    resources  = ["applications"]
    verbs      = local.read
  }
}

resource "kubernetes_role_binding_v1" "release_reader" {
  count = local.gitops ? 1 : 0

  metadata {
    name      = "gen-release-reader"
    namespace = kubernetes_role_v1.release_reader[0].metadata[0].namespace
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.release_reader[0].metadata[0].name
  }
  subject {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Group"
    name      = local.platform.deploy_group
  }
}
