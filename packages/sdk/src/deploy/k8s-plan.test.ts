import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Service } from 'kubernetes-models/v1';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { planKubernetes, resolveImageUser } from './k8s-plan.js';

const image = `localhost:5001/team/app:1.1@sha256:${'a'.repeat(64)}`;
const PASSWD = 'root:x:0:0:root:/root:/bin/bash\napp:x:10001:10001::/home/app:/usr/sbin/nologin\n';

/** Each manifest through the Kubernetes schema of its kind (kubernetes-models' validate throws on a violation). */
function validate(manifest: Record<string, unknown>): void {
  const models = { Deployment, Service, HorizontalPodAutoscaler } as const;
  const Model = models[manifest.kind as keyof typeof models];
  if (!Model) throw new Error(`no schema for ${String(manifest.kind)}`);
  new Model(manifest as never).validate();
}

const plan = planKubernetes({
  name: 'app',
  image,
  replicas: 3,
  health: { path: '/healthz', startPeriodMs: 20_000 },
  autoscale: { min: 2, max: 10, cpuTargetPercent: 60 },
  imageUser: { user: 'app', passwd: PASSWD },
});
// biome-ignore lint/suspicious/noExplicitAny: manifests are walked and broken on purpose, field by field
type Doc = Record<string, any>;
const [deployment, service, autoscaler] = plan.manifests as Doc[];

describe('planKubernetes', () => {
  test('writes a Deployment, a Service and an autoscaling/v2 HPA, each valid against the Kubernetes schema', () => {
    expect(plan.manifests.map((m) => `${m.apiVersion} ${m.kind}`)).toEqual([
      'apps/v1 Deployment',
      'v1 Service',
      'autoscaling/v2 HorizontalPodAutoscaler',
    ]);
    for (const manifest of plan.manifests) expect(() => validate(manifest)).not.toThrow();
    expect(plan.warnings).toEqual([]);
  });

  test('the YAML is the same three documents', () => {
    const docs = parseAllDocuments(plan.yaml).map((doc) => doc.toJSON());
    expect(docs).toEqual(plan.manifests);
    for (const doc of docs) expect(() => validate(doc)).not.toThrow();
  });

  test('the Deployment runs the pinned image with probes from the smoke settings, limits, and a non-root read-only root', () => {
    const pod = deployment?.spec.template.spec;
    const container = pod.containers[0];
    expect(container.image).toBe(image);
    expect(deployment?.spec.replicas).toBe(3);
    expect(deployment?.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.startupProbe.failureThreshold * container.startupProbe.periodSeconds).toBeGreaterThanOrEqual(20);
    expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001 });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(service?.spec.selector).toEqual(deployment?.spec.selector.matchLabels);
    expect(autoscaler?.spec).toMatchObject({
      minReplicas: 2,
      maxReplicas: 10,
      scaleTargetRef: { kind: 'Deployment', name: 'app' },
    });
    expect(autoscaler?.spec.metrics[0].resource.target).toEqual({ type: 'Utilization', averageUtilization: 60 });
  });

  test.each([
    ['a replica count as text', (d: Doc) => (d.spec.replicas = 'three'), 'Deployment'],
    ['a container without a name', (d: Doc) => (d.spec.template.spec.containers[0].name = undefined), 'Deployment'],
    [
      'a probe port that is an object',
      (d: Doc) => (d.spec.template.spec.containers[0].readinessProbe.httpGet.port = { n: 1 }),
      'Deployment',
    ],
    ['runAsNonRoot as a string', (d: Doc) => (d.spec.template.spec.securityContext.runAsNonRoot = 'yes'), 'Deployment'],
    ['a Service port as text', (d: Doc) => (d.spec.ports[0].port = 'eighty'), 'Service'],
    ['an HPA without maxReplicas', (d: Doc) => delete d.spec.maxReplicas, 'HorizontalPodAutoscaler'],
  ])('a broken field fails validation: %s', (_what, breakIt, kind) => {
    const broken = structuredClone(plan.manifests.find((m) => m.kind === kind)) as Doc;
    breakIt(broken);
    expect(() => validate(broken)).toThrow();
  });

  test('no read-only root when asked, and an unknown user sets no UID', () => {
    const writable = planKubernetes({ name: 'app', image, readOnlyRootFilesystem: false });
    const pod = (writable.manifests[0] as Doc).spec.template.spec;
    expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(false);
    expect(pod.containers[0].volumeMounts).toBeUndefined();
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    for (const manifest of writable.manifests) expect(() => validate(manifest)).not.toThrow();
  });

  test.each([
    [{ name: 'App' }, /not a valid Kubernetes name/],
    [{ image: 'localhost:5001/app:1.1' }, /not pinned to a digest/],
    [{ autoscale: { min: 4, max: 2 } }, /maximum \(2\) is below its minimum \(4\)/],
    [{ replicas: 0 }, /replica count must be a whole number of at least 1/],
    [{ health: { expectStatus: 500 } }, /only on 200-399/],
  ])('refuses %j in one sentence', (override, message) => {
    expect(() => planKubernetes({ name: 'app', image, ...override })).toThrow(message);
  });
});

describe('resolveImageUser', () => {
  test.each([
    [{ user: '10001' }, { uid: 10001 }],
    [{ user: '10001:20' }, { uid: 10001, gid: 20 }],
    [
      { user: 'app', passwd: PASSWD },
      { uid: 10001, gid: 10001 },
    ],
    [{ user: '' }, { uid: 10001, gid: 10001, warning: expect.stringMatching(/runs as root/) }],
    [
      { user: 'root', passwd: PASSWD },
      { uid: 10001, gid: 10001, warning: expect.stringMatching(/runs as root/) },
    ],
    [{ user: 'ghost', passwd: PASSWD }, { warning: expect.stringMatching(/'ghost' is not in its \/etc\/passwd/) }],
    [undefined, {}],
  ])('%j → %j', (input, expected) => {
    expect(resolveImageUser(input)).toEqual(expected);
  });
});
