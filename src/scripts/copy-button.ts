// A copy button (`x-data="copyButton" data-copy="…"`): puts the text on the clipboard and says so. Hidden without
// JavaScript, where the text itself is shown whole to select by hand.

interface CopyButton {
  copied: boolean;
  $el?: HTMLElement;
  init(): void;
  copy(): Promise<void>;
  label(): string;
}

export function copyButton(): CopyButton {
  return {
    copied: false,
    init(): void {
      const button = this.$el?.querySelector<HTMLElement>('[data-copy-button]');
      if (button) button.hidden = false;
    },
    async copy(): Promise<void> {
      const text = this.$el?.dataset['copy'] ?? '';
      try {
        await navigator.clipboard.writeText(text);
      } catch {
        // No clipboard API (plain http on an intranet): select the text so the leader can copy it by hand.
        const input = this.$el?.querySelector<HTMLInputElement>('input');
        input?.select();
      }
      this.copied = true;
    },
    label(): string {
      return this.copied ? 'Kopieret' : 'Kopiér linket';
    },
  };
}
