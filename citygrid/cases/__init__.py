"""The case workflow: report → register → dispatch → handle → verify → close → evaluate."""
