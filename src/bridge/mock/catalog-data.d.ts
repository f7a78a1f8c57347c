export declare const CATALOG: {
  methods: Record<string, { permission: string | null; params: unknown; result: unknown; errors: string[]; since: string }>;
  permissions: Record<string, { description: string; consent: boolean }>;
  commonErrors: string[];
};
