"""Forums: categories, threads, posts, questions and answers, the Guichet vert desk.

The feature's declaration is `achats.forums.feature.feature()`."""
