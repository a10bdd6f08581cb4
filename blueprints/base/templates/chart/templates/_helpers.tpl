{{/*
Named templates of the <@ service.name | segment @> chart. Their names carry the chart's name: Helm
shares named templates between a chart and its subcharts, so an umbrella chart can hold
several charts gen rendered.
*/}}

{{/* The chart's name, or nameOverride. */}}
{{- define "<@ service.name | segment @>.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The name of every object: the release name when it contains the chart's name, else
<release>-<chart>; fullnameOverride replaces it. The Service, the Ingress backend and the
HTTPRoute backend all use it, so they agree whatever the release is called.
*/}}
{{- define "<@ service.name | segment @>.fullname" -}}
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
{{- define "<@ service.name | segment @>.selectorLabels" -}}
app.kubernetes.io/name: {{ include "<@ service.name | segment @>.name" . | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
{{- end }}

{{/* The labels of every object. */}}
{{- define "<@ service.name | segment @>.labels" -}}
{{ include "<@ service.name | segment @>.selectorLabels" . }}
app.kubernetes.io/version: {{ include "<@ service.name | segment @>.tag" . | quote }}
app.kubernetes.io/part-of: {{ .Values.partOf | quote }}
{{- end }}

{{/* The image: repository:tag, and @digest when image.digest is set (the node then
     runs exactly that image; the tag is for people). */}}
{{- define "<@ service.name | segment @>.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository (include "<@ service.name | segment @>.tag" .) .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (include "<@ service.name | segment @>.tag" .) }}
{{- end }}
{{- end }}

{{/* The image tag: image.tag, or the chart's appVersion. */}}
{{- define "<@ service.name | segment @>.tag" -}}
{{- .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* Whether more than one pod can run (then a PodDisruptionBudget keeps one up). */}}
{{- define "<@ service.name | segment @>.several" -}}
{{- if .Values.autoscaling.enabled }}
{{- if gt (int .Values.autoscaling.maxReplicas) 1 }}true{{ end }}
{{- else if gt (int .Values.replicaCount) 1 }}true{{ end }}
{{- end }}

{{/*
The path an Ingress matches: with stripPrefix, a regular expression whose second group is
the rest of the path (what rewrite-target /$2 passes on); else the prefix itself.
*/}}
{{- define "<@ service.name | segment @>.ingressPath" -}}
{{- if include "<@ service.name | segment @>.strip" .Values.ingress }}
{{- printf "%s(/|$)(.*)" (regexQuoteMeta (trimSuffix "/" .Values.ingress.path)) }}
{{- else }}
{{- .Values.ingress.path }}
{{- end }}
{{- end }}

{{/* Whether a route strips a prefix: stripPrefix, on a path other than "/". */}}
{{- define "<@ service.name | segment @>.strip" -}}
{{- if and .stripPrefix (ne (trimSuffix "/" .path) "") }}true{{ end }}
{{- end }}
