import { loadTestbed } from './testbed.js';

/**
 * A Dockerfile whose one step needs `--ssh default` and prints `agent keys: N`, the number of
 * keys the forwarded agent offers. The base image has no ssh client, so it asks with the agent
 * protocol itself (SSH2_AGENTC_REQUEST_IDENTITIES). `unique` goes into the step so BuildKit never
 * answers it from an earlier run's cache.
 */
export function sshKeyCountDockerfile(unique: string): string {
  const count =
    'import os,socket,struct;s=socket.socket(socket.AF_UNIX);s.connect(os.environ["SSH_AUTH_SOCK"]);s.sendall(struct.pack(">IB",1,11));print("agent keys:",struct.unpack(">IBI",s.recv(9))[2])';
  return `FROM ${loadTestbed().baseImage}\nRUN --mount=type=ssh,required=true python -c '${count}' && echo ${unique}\n`;
}
