package render_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/flotilla/flotilla/pkg/render"
)

// Render the embedded Flowise chart in queue mode and inspect the objects.
func ExampleRender() {
	ch, err := render.Load(context.Background(), "flowise", render.LoadOptions{})
	if err != nil {
		panic(err)
	}
	res, err := render.Render(ch, render.Options{
		ReleaseName: "flowise",
		Namespace:   "ai",
		ValueFiles:  []string{"../../examples/flowise/queue.yaml"},
		Set:         []string{"queue.worker.replicaCount=5"},
	})
	if err != nil {
		panic(err)
	}
	for _, m := range res.Find("Deployment", "") {
		obj, err := m.Object()
		if err != nil {
			panic(err)
		}
		fmt.Println(m.Name, obj["spec"].(map[string]any)["replicas"])
	}
	// Output:
	// flowise 2
	// flowise-worker 5
}

// Values that break a cross-field rule are refused with the field and the reason.
func ExampleValidationError() {
	ch, err := render.Load(context.Background(), "flowise", render.LoadOptions{})
	if err != nil {
		panic(err)
	}
	_, err = render.Render(ch, render.Options{Values: []map[string]any{{
		"storage": map[string]any{"type": "s3"},
	}}})
	var ve *render.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			fmt.Println(p)
		}
	}
	// Output:
	// storage.s3.bucketName: storage.s3.bucketName is required when storage.type is s3 (minLength: got 0, want 1)
}
