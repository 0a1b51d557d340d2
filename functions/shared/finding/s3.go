package finding

func parsePutObject(rec *record, f *Finding) error {
	var req struct {
		BucketName string `json:"bucketName"`
		Key        string `json:"key"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	if req.BucketName == "" {
		return &MalformedEventError{Reason: "requestParameters has no bucketName"}
	}
	f.Resources = append(f.Resources, Resource{Type: TypeObject, ID: req.BucketName + "/" + req.Key, Name: req.BucketName})
	return nil
}

// s3Catalog are the catalog entries parsed in this file.
var s3Catalog = []Entry{
	{EventSource: "s3.amazonaws.com", EventName: "PutObject", Category: CategoryData, Effect: EffectWatch,
		Description: "Writes an object to a bucket whose data events the trail records (watched buckets).",
		parse:       parsePutObject},
}
