package podrun

import (
	"encoding/base64"
	"fmt"
)

// Objects holds the Secrets and ConfigMaps a pod's env and volumes refer to, by name.
type Objects struct {
	Secrets    map[string]map[string][]byte
	ConfigMaps map[string]map[string]string
}

// AddSecret adds (or replaces) a Secret.
func (o *Objects) AddSecret(name string, data map[string][]byte) {
	if o.Secrets == nil {
		o.Secrets = map[string]map[string][]byte{}
	}
	o.Secrets[name] = data
}

// AddConfigMap adds (or replaces) a ConfigMap.
func (o *Objects) AddConfigMap(name string, data map[string]string) {
	if o.ConfigMaps == nil {
		o.ConfigMaps = map[string]map[string]string{}
	}
	o.ConfigMaps[name] = data
}

// AddManifest adds a decoded Secret or ConfigMap manifest (data base64 as the API stores it,
// stringData and ConfigMap data as plain text); other kinds are ignored.
func (o *Objects) AddManifest(obj map[string]any) error {
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	switch obj["kind"] {
	case "Secret":
		data := map[string][]byte{}
		if d, ok := obj["data"].(map[string]any); ok {
			for k, v := range d {
				s, _ := v.(string)
				b, err := base64.StdEncoding.DecodeString(s)
				if err != nil {
					return fmt.Errorf("secret %s key %s: %w", name, k, err)
				}
				data[k] = b
			}
		}
		if d, ok := obj["stringData"].(map[string]any); ok {
			for k, v := range d {
				data[k] = []byte(fmt.Sprint(v))
			}
		}
		o.AddSecret(name, data)
	case "ConfigMap":
		data := map[string]string{}
		if d, ok := obj["data"].(map[string]any); ok {
			for k, v := range d {
				data[k] = fmt.Sprint(v)
			}
		}
		o.AddConfigMap(name, data)
	}
	return nil
}

func (o *Objects) secretKey(name, key string) ([]byte, error) {
	s, ok := o.Secrets[name]
	if !ok {
		return nil, fmt.Errorf("secret %q not found", name)
	}
	v, ok := s[key]
	if !ok {
		return nil, fmt.Errorf("secret %q has no key %q", name, key)
	}
	return v, nil
}

func (o *Objects) configMapKey(name, key string) (string, error) {
	c, ok := o.ConfigMaps[name]
	if !ok {
		return "", fmt.Errorf("configmap %q not found", name)
	}
	v, ok := c[key]
	if !ok {
		return "", fmt.Errorf("configmap %q has no key %q", name, key)
	}
	return v, nil
}
