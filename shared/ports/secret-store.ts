/** Where account credentials and app secrets live: Secrets Manager on AWS, a private folder in the local twin. */
export interface SecretStore {
  get(name: string): Promise<string | undefined>;
  put(name: string, value: string): Promise<void>;
}
