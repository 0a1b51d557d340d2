module github.com/trailwatch/trailwatch/functions/parse

go 1.26.8

require (
	github.com/rs/zerolog v1.35.1
	github.com/trailwatch/trailwatch/functions/shared v0.0.0
)

require (
	github.com/aws/aws-lambda-go v1.55.1 // indirect
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.20 // indirect
	golang.org/x/sys v0.29.0 // indirect
)

replace github.com/trailwatch/trailwatch/functions/shared => ../shared
