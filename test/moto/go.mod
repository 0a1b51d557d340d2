module github.com/trailwatch/trailwatch/test/moto

go 1.26.8
