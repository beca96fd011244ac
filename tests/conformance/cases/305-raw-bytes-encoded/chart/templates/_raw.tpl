{{ define "raw" }}{{ .Files.Get "files/blob.bin" }}{{ end }}
{{ .Files.Get "files/ff.bin" }}
