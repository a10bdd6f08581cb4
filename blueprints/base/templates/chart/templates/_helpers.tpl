{{/*
Named templates of the service chart, the one chart every service of the project deploys
with its own values (values/<service>.yaml). Their names carry the chart's name: Helm shares
named templates between a chart and its subcharts.
*/}}

{{/*
Whether values name a service (its image): the chart's own defaults name none, and then it
installs nothing. An upgrade without a service's values would remove every object of the
release (`helm upgrade shop chart --set image.tag=...` with no -f): refused instead.
*/}}
{{- define "service.enabled" -}}
{{- if .Values.image.repository }}true
{{- else if .Release.IsUpgrade }}
{{- fail "no service's values: pass its values file (-f values/<service>.yaml, or values/<service>.<environment>.yaml); an upgrade without them would remove every object of the release" }}
{{- end }}
{{- end }}

{{/* The chart's name, or nameOverride. */}}
{{- define "service.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The name of every object: the release name when it contains the chart's name, else
<release>-<chart>; fullnameOverride replaces it. The Service, the Ingress backend and the
HTTPRoute backend all use it, so they agree whatever the release is called.
*/}}
{{- define "service.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The labels that select the service's pods. */}}
{{- define "service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "service.name" . | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
{{- end }}

{{/* The labels of every object. */}}
{{- define "service.labels" -}}
{{ include "service.selectorLabels" . }}
app.kubernetes.io/version: {{ include "service.tag" . | quote }}
app.kubernetes.io/part-of: {{ .Values.partOf | quote }}
{{- end }}

{{/* The image: repository:tag, and @digest when image.digest is set (the node then
     runs exactly that image; the tag is for people). */}}
{{- define "service.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository (include "service.tag" .) .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (include "service.tag" .) }}
{{- end }}
{{- end }}

{{/* The image tag: image.tag, or the chart's appVersion. */}}
{{- define "service.tag" -}}
{{- .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* Whether more than one pod can run (then a PodDisruptionBudget keeps one up). */}}
{{- define "service.several" -}}
{{- if .Values.autoscaling.enabled }}
{{- if gt (int .Values.autoscaling.maxReplicas) 1 }}true{{ end }}
{{- else if gt (int .Values.replicaCount) 1 }}true{{ end }}
{{- end }}

{{/*
The path an Ingress matches: with stripPrefix, a regular expression whose second group is
the rest of the path (what rewrite-target /$2 passes on); else the prefix itself.
*/}}
{{- define "service.ingressPath" -}}
{{- if include "service.strip" .Values.ingress }}
{{- printf "%s(/|$)(.*)" (regexQuoteMeta (trimSuffix "/" .Values.ingress.path)) }}
{{- else }}
{{- .Values.ingress.path }}
{{- end }}
{{- end }}

{{/* Whether a route strips a prefix: stripPrefix, on a path other than "/". */}}
{{- define "service.strip" -}}
{{- if and .stripPrefix (ne (trimSuffix "/" .path) "") }}true{{ end }}
{{- end }}
