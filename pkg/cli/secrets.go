package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/flotilla/flotilla/pkg/catalog"
	"github.com/flotilla/flotilla/pkg/chartvalues"
	"github.com/flotilla/flotilla/pkg/secretgen"
)

func runSecrets(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("secrets", "secrets CHART -f values.yaml... [--set key=value]... [--namespace NS] [--release NAME] [--apply]\n\n"+
		"Prints (or with --apply creates) every Secret the chart's pods, hooks, CronJobs and test pods reference\n"+
		"with these values that the release does not create itself, with generated values of the shape the\n"+
		"chart declares; keys only you can fill in hold "+chartvalues.Placeholder+". --apply never changes an existing Secret.", stderr)
	var rf renderFlags
	apply := fs.Bool("apply", false, "create the missing Secrets in the cluster instead of printing them; existing Secrets are left as they are")
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig of --apply (default: $KUBECONFIG, else ~/.kube/config)")
	kubeContext := fs.String("context", "", "kubeconfig context of --apply (default: the current one)")
	ref, err := rf.parseChart(fs, args)
	if err != nil {
		return err
	}
	nsGiven := flagGiven(fs, "namespace")
	var client corev1client.SecretInterface
	if *apply {
		// Resolved before rendering, so the render sees the namespace the Secrets go to.
		if client, rf.namespace, err = secretsClient(*kubeconfig, *kubeContext, rf.namespace, nsGiven); err != nil {
			return err
		}
	}
	ch, err := rf.load(ctx, ref)
	if err != nil {
		return err
	}
	declared, err := declaredSecrets(ch.Name())
	if err != nil {
		return err
	}
	if declared == nil {
		fmt.Fprintf(stderr, "flotilla secrets: %s is not a Flotilla chart: every key it references gets the placeholder %s\n", ch.Name(), chartvalues.Placeholder)
	}
	secrets, err := secretgen.Plan(ch, rf.options(), declared)
	if err != nil {
		return err
	}
	if !*apply {
		ns := ""
		if nsGiven {
			ns = rf.namespace
		}
		return secretgen.Write(stdout, secrets, ns)
	}
	if len(secrets) == 0 {
		fmt.Fprintf(stdout, "namespace %s: the chart creates every Secret it references; nothing to do\n", rf.namespace)
		return nil
	}
	outcomes, err := secretgen.Apply(ctx, client, secrets)
	for _, o := range outcomes {
		fmt.Fprintf(stdout, "namespace %s: %s\n", rf.namespace, o)
	}
	return err
}

// declaredSecrets is the Secret declarations of a chart of the catalog; nil for another chart.
func declaredSecrets(chart string) ([]chartvalues.SecretDecl, error) {
	for _, c := range catalog.Charts() {
		if c.Name == chart {
			return chartvalues.DeclaredSecrets(c.Defaults)
		}
	}
	return nil, nil
}

// secretsClient reads the kubeconfig as kubectl does; the namespace is the flag's when given,
// else the context's.
func secretsClient(kubeconfig, kubeContext, ns string, nsGiven bool) (corev1client.SecretInterface, string, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	overrides := &clientcmd.ConfigOverrides{CurrentContext: kubeContext}
	if nsGiven {
		overrides.Context.Namespace = ns
	}
	cfg := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
	ns, _, err := cfg.Namespace()
	if err != nil {
		return nil, "", fmt.Errorf("kubeconfig: %w", err)
	}
	rest, err := cfg.ClientConfig()
	if err != nil {
		return nil, "", fmt.Errorf("kubeconfig: %w", err)
	}
	rest.UserAgent = "flotilla-secrets"
	core, err := corev1client.NewForConfig(rest)
	if err != nil {
		return nil, "", fmt.Errorf("kubernetes client: %w", err)
	}
	return core.Secrets(ns), ns, nil
}

// flagGiven reports whether the command line set the flag.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
