import { run } from './main.js';
import { post } from './post.js';
import { isPost } from './state.js';

// One bundle serves `main:` and `post:`; main saves `isPost`, which the runner hands to post as STATE_isPost.
await (isPost ? post() : run());
