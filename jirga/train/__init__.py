"""Training: scoring any coding against gold (`scoring`), exercises built from reports and their gold, trainees'
submissions, inter-coder agreement and personnel training records. The logic here is pure; its SQL lives in
`jirga.store.training`. See docs/training.md."""
