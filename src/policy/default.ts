/** The default policy's name, without the policies' imports: the commands' options need it first. */
export const DEFAULT_POLICY = 'v6.18';
