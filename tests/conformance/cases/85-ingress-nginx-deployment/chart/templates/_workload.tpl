{{- define "ingress-nginx.controller.workload" -}}
{{- $kind := .kind -}}
{{- with .ctx }}
{{- $root := . }}
apiVersion: apps/v1
kind: {{ $kind }}
metadata:
  labels:
    {{- include "ingress-nginx.labels" . | nindent 4 }}
    app.kubernetes.io/component: controller
  name: {{ include "ingress-nginx.controller.fullname" . }}
  namespace: {{ .Release.Namespace }}
spec:
  selector:
    matchLabels:
      {{- include "ingress-nginx.selectorLabels" . | nindent 6 }}
      app.kubernetes.io/component: controller
  {{- if eq $kind "Deployment" }}
  replicas: {{ .Values.controller.replicaCount }}
  {{- end }}
  revisionHistoryLimit: {{ .Values.revisionHistoryLimit | default 10 }}
  {{- with .Values.controller.updateStrategy }}
  {{ if eq $kind "Deployment" }}strategy{{ else }}updateStrategy{{ end }}:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  minReadySeconds: {{ .Values.controller.minReadySeconds | default 0 }}
  template:
    metadata:
      annotations:
        checksum/config: {{ include (print .Template.BasePath "/controller-configmap.yaml") . | sha256sum }}
      {{- if .Values.controller.podAnnotations }}
        {{- range $key, $value := .Values.controller.podAnnotations }}
        {{ $key }}: {{ $value | quote }}
        {{- end }}
      {{- end }}
      labels:
        {{- include "ingress-nginx.selectorLabels" . | nindent 8 }}
        app.kubernetes.io/component: controller
    spec:
      dnsPolicy: {{ .Values.controller.dnsPolicy }}
      {{- if .Values.controller.hostNetwork }}
      hostNetwork: {{ .Values.controller.hostNetwork }}
      {{- end }}
      containers:
        - name: {{ .Values.controller.containerName | default "controller" }}
          {{- with .Values.controller.image }}
          image: {{ include "ingress-nginx.image" (dict "image" .) | quote }}
          {{- end }}
          imagePullPolicy: {{ .Values.controller.image.pullPolicy }}
          args:
            {{- include "ingress-nginx.params" . | nindent 12 }}
          securityContext:
            runAsUser: {{ .Values.controller.image.runAsUser }}
            allowPrivilegeEscalation: {{ .Values.controller.image.allowPrivilegeEscalation }}
          env:
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
          {{- if .Values.controller.extraEnvs }}
            {{- toYaml .Values.controller.extraEnvs | nindent 12 }}
          {{- end }}
          ports:
          {{- range $key, $value := .Values.controller.containerPort }}
            - name: {{ $key }}
              containerPort: {{ $value }}
              protocol: TCP
          {{- end }}
          {{- range $key, $value := .Values.tcp }}
            - name: {{ if $root.Values.portNamePrefix }}{{ $root.Values.portNamePrefix }}-{{ end }}{{ $key }}-tcp
              containerPort: {{ $key }}
              protocol: TCP
          {{- end }}
          {{- if .Values.controller.resources }}
          resources: {{ toYaml .Values.controller.resources | nindent 12 }}
          {{- end }}
      {{- with .Values.controller.nodeSelector }}
      nodeSelector: {{ toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.controller.tolerations }}
      tolerations: {{ toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.controller.affinity }}
      affinity: {{ toYaml . | nindent 8 }}
      {{- end }}
      terminationGracePeriodSeconds: {{ .Values.controller.terminationGracePeriodSeconds }}
{{- end }}
{{- end -}}
