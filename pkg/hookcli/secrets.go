package hookcli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/flotilla/flotilla/pkg/secretensure"
)

var secretsGroup = group{
	name:  "secrets",
	about: "create the Secrets a chart generates, once (secrets.generation: hook)",
	commands: []command{{
		name:     "ensure",
		overview: "create each missing --secret with random values; add only missing keys; never change a value",
		short:    "create each missing Secret with random values of its shapes; add only keys an existing one lacks",
		setup:    secretsEnsure,
	}},
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, " ") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// secretsEnsure is "secrets ensure": the charts' secrets hook Job. In the pod it talks to the
// apiserver with the Job's ServiceAccount (in-cluster config, the pod's namespace); elsewhere
// with the kubeconfig as kubectl reads it.
func secretsEnsure(fs *flag.FlagSet) action {
	var specs, labels stringList
	fs.Var(&specs, "secret", "NAME:KEY=SHAPE[,KEY=SHAPE...] with SHAPE random:N, fernet, rsa-private-key or rsa-public-key; repeatable")
	fs.Var(&labels, "label", "KEY=VALUE label of the Secrets created; repeatable")
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig file (default: in a pod its ServiceAccount, else $KUBECONFIG or ~/.kube/config)")
	namespace := fs.String("namespace", "", "namespace of the Secrets (default: the pod's, or the kubeconfig context's)")
	return func(ctx context.Context, inv *invocation) (string, error) {
		if len(specs) == 0 {
			return "", usageError{"--secret: give at least one NAME:KEY=SHAPE"}
		}
		var parsed []secretensure.Spec
		for _, s := range specs {
			sp, err := secretensure.ParseSpec(s)
			if err != nil {
				return "", usageError{"--secret " + err.Error()}
			}
			parsed = append(parsed, sp)
		}
		o := secretensure.Options{Labels: map[string]string{}}
		for _, l := range labels {
			k, v, ok := strings.Cut(l, "=")
			if !ok || k == "" {
				return "", usageError{fmt.Sprintf("--label %q: want KEY=VALUE", l)}
			}
			o.Labels[k] = v
		}
		client, ns, err := secretsClient(*kubeconfig, *namespace)
		if err != nil {
			return "", err
		}
		results, err := secretensure.Ensure(ctx, client, parsed, o)
		for _, r := range results {
			inv.log.Info(r.String(), "secret", r.Name, "namespace", ns, "created", r.Created, "added_keys", strings.Join(r.Added, ","), "races", r.Races)
		}
		if err != nil {
			return "", err
		}
		var created, added, unchanged int
		for _, r := range results {
			switch {
			case r.Created:
				created++
			case len(r.Added) > 0:
				added++
			default:
				unchanged++
			}
		}
		return fmt.Sprintf("%d Secret(s) in %s: %d created, %d completed with missing keys, %d unchanged", len(results), ns, created, added, unchanged), nil
	}
}

// secretsClient: in a pod the ServiceAccount and its namespace (client-go's fallback when no
// kubeconfig exists), else the kubeconfig as kubectl reads it.
func secretsClient(kubeconfig, ns string) (secretensure.Client, string, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	overrides := &clientcmd.ConfigOverrides{}
	overrides.Context.Namespace = ns
	cfg := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
	ns, _, err := cfg.Namespace()
	if err != nil {
		return nil, "", usageError{"kubeconfig: " + err.Error()}
	}
	rest, err := cfg.ClientConfig()
	if err != nil {
		return nil, "", usageError{"kubeconfig: " + err.Error()}
	}
	rest.UserAgent = "flotilla-hook"
	client, err := secretensure.NewRESTClient(rest, ns)
	if err != nil {
		return nil, "", err
	}
	return client, ns, nil
}
