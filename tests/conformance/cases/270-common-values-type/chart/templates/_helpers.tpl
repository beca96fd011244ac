{{- define "cv.type" }}{{ typeOf . }}{{ end }}
