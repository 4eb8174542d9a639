package chartvalues

import "github.com/invopop/jsonschema"

// The security contexts are typed after Kubernetes PodSecurityContext and SecurityContext, and
// narrowed to what the "restricted" Pod Security Standard admits: the charts promise restricted
// pods, so a value that would break that promise (root, privilege escalation, a capability other
// than NET_BIND_SERVICE, an unconfined seccomp or AppArmor profile, an unsafe sysctl) is refused
// with its path instead of by the namespace's admission halfway through a release. The fields
// restricted depends on are required: with Helm's coalescing a null deletes the chart's default,
// and a pod without them is not restricted. Windows options are left out (the images are Linux).

// PodSecurityContext is the pods' securityContext (Kubernetes PodSecurityContext): free-form in
// values.yaml, typed by its schema (PodSecurityContextShape).
type PodSecurityContext map[string]any

// Shape is the block's schema. chartkit reflects it in place of the map.
func (PodSecurityContext) Shape() any { return PodSecurityContextShape{} }

// PodSecurityContextShape is the shape of PodSecurityContext.
type PodSecurityContextShape struct {
	// Containers must run as a non-root user (restricted: true).
	RunAsNonRoot bool `json:"runAsNonRoot"`
	// User the containers run as (restricted: not root).
	RunAsUser *int64 `json:"runAsUser,omitempty" jsonschema:"minimum=1"`
	// Primary group of the containers' processes.
	RunAsGroup *int64 `json:"runAsGroup,omitempty" jsonschema:"minimum=0"`
	// Group that owns the pod's volumes, added to every container's groups.
	FSGroup *int64 `json:"fsGroup,omitempty" jsonschema:"minimum=0"`
	// When the kubelet changes the volumes' ownership to fsGroup.
	FSGroupChangePolicy string `json:"fsGroupChangePolicy,omitempty" jsonschema:"enum=OnRootMismatch,enum=Always"`
	// More groups of the containers' processes.
	SupplementalGroups []int64 `json:"supplementalGroups,omitempty" jsonschema:"minimum=0"`
	// How supplementalGroups combine with the image's groups.
	SupplementalGroupsPolicy string `json:"supplementalGroupsPolicy,omitempty" jsonschema:"enum=Merge,enum=Strict"`
	// Seccomp profile of the containers (restricted: RuntimeDefault or Localhost).
	SeccompProfile SeccompProfile `json:"seccompProfile"`
	// AppArmor profile of the containers (restricted: RuntimeDefault or Localhost).
	AppArmorProfile *AppArmorProfile `json:"appArmorProfile,omitempty"`
	// SELinux context of the containers.
	SELinuxOptions *SELinuxOptions `json:"seLinuxOptions,omitempty"`
	// How SELinux labels reach the volumes.
	SELinuxChangePolicy string `json:"seLinuxChangePolicy,omitempty" jsonschema:"enum=MountOption,enum=Recursive"`
	// Namespaced sysctls of the pod (restricted: the safe set only).
	Sysctls []Sysctl `json:"sysctls,omitempty"`
}

// ContainerSecurityContext is a container's securityContext (Kubernetes SecurityContext):
// free-form in values.yaml, typed by its schema (ContainerSecurityContextShape).
type ContainerSecurityContext map[string]any

// Shape is the block's schema. chartkit reflects it in place of the map.
func (ContainerSecurityContext) Shape() any { return ContainerSecurityContextShape{} }

// ContainerSecurityContextShape is the shape of ContainerSecurityContext.
type ContainerSecurityContextShape struct {
	// A process may gain more privileges than its parent (restricted: false).
	AllowPrivilegeEscalation bool `json:"allowPrivilegeEscalation"`
	// Linux capabilities (restricted: drop ALL, add at most NET_BIND_SERVICE).
	Capabilities Capabilities `json:"capabilities"`
	// Privileged container (restricted: false).
	Privileged bool `json:"privileged,omitempty"`
	// The container's root filesystem is read-only.
	ReadOnlyRootFilesystem bool `json:"readOnlyRootFilesystem,omitempty"`
	// The container must run as a non-root user (restricted: true).
	RunAsNonRoot bool `json:"runAsNonRoot"`
	// User the container runs as (restricted: not root).
	RunAsUser *int64 `json:"runAsUser,omitempty" jsonschema:"minimum=1"`
	// Primary group of the container's processes.
	RunAsGroup *int64 `json:"runAsGroup,omitempty" jsonschema:"minimum=0"`
	// Seccomp profile (restricted: RuntimeDefault or Localhost).
	SeccompProfile SeccompProfile `json:"seccompProfile"`
	// AppArmor profile (restricted: RuntimeDefault or Localhost).
	AppArmorProfile *AppArmorProfile `json:"appArmorProfile,omitempty"`
	// SELinux context.
	SELinuxOptions *SELinuxOptions `json:"seLinuxOptions,omitempty"`
	// /proc mount type (restricted: Default).
	ProcMount string `json:"procMount,omitempty" jsonschema:"enum=Default"`
}

// Capabilities is Kubernetes Capabilities, narrowed to restricted.
type Capabilities struct {
	// Capabilities dropped: ALL (restricted).
	Drop []string `json:"drop" jsonschema:"minItems=1,uniqueItems=true,enum=ALL"`
	// Capabilities added back: NET_BIND_SERVICE at most (restricted).
	Add []string `json:"add,omitempty" jsonschema:"uniqueItems=true,enum=NET_BIND_SERVICE"`
}

// SeccompProfile is Kubernetes SeccompProfile, narrowed to restricted.
type SeccompProfile struct {
	// RuntimeDefault (the container runtime's profile) or Localhost (a profile on the node).
	Type string `json:"type" jsonschema:"enum=RuntimeDefault,enum=Localhost"`
	// Profile file under the kubelet's seccomp directory; set exactly when type is Localhost.
	LocalhostProfile string `json:"localhostProfile,omitempty" jsonschema:"minLength=1"`
}

// AppArmorProfile is Kubernetes AppArmorProfile, narrowed to restricted.
type AppArmorProfile struct {
	// RuntimeDefault (the container runtime's profile) or Localhost (a profile loaded on the node).
	Type string `json:"type" jsonschema:"enum=RuntimeDefault,enum=Localhost"`
	// Name of the loaded profile; set exactly when type is Localhost.
	LocalhostProfile string `json:"localhostProfile,omitempty" jsonschema:"minLength=1,maxLength=4095"`
}

// SELinuxOptions is Kubernetes SELinuxOptions, narrowed to restricted (which admits no user or
// role, and only the container types).
type SELinuxOptions struct {
	// SELinux type of the container processes.
	Type string `json:"type,omitempty" jsonschema:"enum=,enum=container_t,enum=container_init_t,enum=container_kvm_t,enum=container_engine_t"`
	// SELinux level (MCS categories), e.g. s0:c123,c456.
	Level string `json:"level,omitempty"`
}

// Sysctl is a Kubernetes Sysctl from the safe set restricted admits.
type Sysctl struct {
	// Sysctl name.
	Name string `json:"name" jsonschema:"enum=kernel.shm_rmid_forced,enum=net.ipv4.ip_local_port_range,enum=net.ipv4.tcp_syncookies,enum=net.ipv4.ping_group_range,enum=net.ipv4.ip_unprivileged_port_start,enum=net.ipv4.ip_local_reserved_ports,enum=net.ipv4.tcp_keepalive_time,enum=net.ipv4.tcp_fin_timeout,enum=net.ipv4.tcp_keepalive_intvl,enum=net.ipv4.tcp_keepalive_probes,enum=net.ipv4.tcp_rmem,enum=net.ipv4.tcp_wmem,enum=net.ipv4.tcp_slow_start_after_idle,enum=net.ipv4.tcp_notsent_lowat"`
	// Sysctl value.
	Value string `json:"value"`
}

// JSONSchemaExtend admits only the restricted value of runAsNonRoot (the reflector sets no enum
// on booleans).
func (PodSecurityContextShape) JSONSchemaExtend(s *jsonschema.Schema) {
	onlyValue(s, "runAsNonRoot", true)
}

// JSONSchemaExtend admits only the restricted values of the booleans.
func (ContainerSecurityContextShape) JSONSchemaExtend(s *jsonschema.Schema) {
	onlyValue(s, "runAsNonRoot", true)
	onlyValue(s, "allowPrivilegeEscalation", false)
	onlyValue(s, "privileged", false)
}

func onlyValue(s *jsonschema.Schema, key string, v any) {
	if p, ok := s.Properties.Get(key); ok {
		p.Enum = []any{v}
	}
}
