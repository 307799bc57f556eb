// Types for scripts/binary-node.js (plain JS so build-binary.js and .ci/run can run it without tsx).
export declare const NODE_VERSION: string;
export declare const ROOT: string;
export declare function cachedNode(version?: string): { name: string; dir: string; home: string; node: string; version: string };
export declare function cachedAddon(nodeVersion?: string): { source: string; version: string; dir: string; addon: string };
