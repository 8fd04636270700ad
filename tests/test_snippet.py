import numpy as np

from factcheck.snippet import select_snippet, split_body

SENTENCES = ["The photo shows a shark on a flooded highway.",
             "It spread on social media after the storm.",
             "Weather in the region stays wet.",
             "Experts say the image is a hoax made from two photos."]
# cosine to the claim, as MiniLM would rank them: the debunking sentence is the least similar
VECS = np.array([[1.0, 0.0], [0.8, 0.6], [0.6, 0.8], [0.1, 0.995]], dtype=np.float32)
CLAIM_VEC = np.array([1.0, 0.0], dtype=np.float32)


def test_closest_sentences_in_body_order():
    assert select_snippet(CLAIM_VEC, SENTENCES, VECS, k=2) == " ".join(SENTENCES[:2])


def test_refutation_cue_takes_the_last_place_when_the_claim_is_given():
    snip = select_snippet(CLAIM_VEC, SENTENCES, VECS, k=2, claim="A shark swam on a flooded highway")
    assert snip == f"{SENTENCES[0]} {SENTENCES[3]}"


def test_no_cue_swap_when_the_claim_carries_a_cue_itself_or_k_is_one():
    assert "hoax" not in select_snippet(CLAIM_VEC, SENTENCES, VECS, k=2, claim="The shark photo is fake")
    assert select_snippet(CLAIM_VEC, SENTENCES, VECS, k=1, claim="A shark on a highway") == SENTENCES[0]


def test_cue_already_in_the_snippet_is_not_repeated():
    snip = select_snippet(CLAIM_VEC, SENTENCES, VECS, k=4, claim="A shark on a highway")
    assert snip == " ".join(SENTENCES) and snip.count("hoax") == 1


def test_split_body_drops_empty_paragraphs_and_caps_sentences():
    assert split_body("One. Two.\n\n\nThree.") == ["One.", "Two.", "Three."]
    assert len(split_body("Word. " * 500)) == 80
