// The few parts of @alpinejs/csp the staff pages use (the package ships no types).
declare module '@alpinejs/csp' {
  interface AlpineStatic {
    data(name: string, component: () => object): void;
    start(): void;
  }
  const Alpine: AlpineStatic;
  export default Alpine;
}
