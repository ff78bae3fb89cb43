"""A real two-node OpenSearch cluster (opensearch/cluster.py) with ICU analysis, and failover.

Starts two in-process OpenSearch 2.16.0 nodes built from Maven Central jars (see
docs/opensearch-cluster.md), talks to them with the official client (opensearch-py), then kills
one node with SIGKILL and checks that the replicas on the other node still answer.
Skipped when java/mvn or opensearch-py are missing.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.opensearch, pytest.mark.slow]

_CLUSTER_PY = Path(__file__).resolve().parent.parent / "opensearch" / "cluster.py"


def _load_cluster_module():
    spec = importlib.util.spec_from_file_location("searchapp_opensearch_cluster", _CLUSTER_PY)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look the module up by name
    spec.loader.exec_module(mod)
    return mod


cluster_mod = _load_cluster_module()
opensearchpy = pytest.importorskip("opensearchpy", reason="opensearch-py (the official client) is not installed")

INDEX = "docs-icu"

DOCS = {
    "vi1": {"lang": "vi", "title": "Quyền con người và quyền công dân"},
    "vi2": {"lang": "vi", "title": "Hà Nội là thủ đô của Việt Nam"},
    "zh1": {"lang": "zh", "title": "中华人民共和国宪法保障公民的基本权利"},
    "en1": {"lang": "en", "title": "Human rights and civil liberties"},
    "en2": {"lang": "en", "title": "ＦＵＬＬＷＩＤＴＨ letters fold to plain ones"},
}


@pytest.fixture(scope="module")
def cluster():
    reason = cluster_mod.missing_tools()
    if reason:
        pytest.skip(f"cannot start OpenSearch here: {reason}")
    try:
        # 120 s is ample on an idle 2-core machine (15-30 s); allow more when it is shared and busy.
        timeout = float(os.environ.get("OPENSEARCH_START_TIMEOUT", "180"))
        c = cluster_mod.start(nodes=2, heap="512m", timeout=timeout, verbose=True)
    except cluster_mod.ClusterError as e:
        pytest.fail(f"OpenSearch cluster did not start:\n{e}", pytrace=False)
    try:
        yield c
    finally:
        c.stop()
        assert all(not n.alive() for n in c.nodes), "an OpenSearch node survived stop()"


@pytest.fixture(scope="module")
def client(cluster):
    hosts = [{"host": n.host, "port": n.http_port} for n in cluster.nodes]
    cl = opensearchpy.OpenSearch(hosts=hosts, timeout=30, max_retries=3, retry_on_timeout=True)
    yield cl
    cl.close()


def _ids(resp) -> set[str]:
    return {h["_id"] for h in resp["hits"]["hits"]}


def _search(client, text: str, field: str = "title"):
    return client.search(index=INDEX, body={"query": {"match": {field: text}}}, request_timeout=30)


@pytest.fixture(scope="module")
def indexed(client):
    # Spread primaries evenly, so that each node holds one primary and the kill -9 test below
    # always loses a primary (its replica on the other node must be promoted).
    client.cluster.put_settings(
        body={"persistent": {"cluster.routing.allocation.balance.prefer_primary": True}})
    client.indices.create(
        index=INDEX,
        body={
            "settings": {
                "number_of_shards": 2,
                "number_of_replicas": 1,
                "analysis": {
                    "analyzer": {
                        "icu_folded": {
                            "type": "custom",
                            "char_filter": ["icu_normalizer"],
                            "tokenizer": "icu_tokenizer",
                            "filter": ["icu_folding"],
                        }
                    }
                },
            },
            "mappings": {
                "properties": {
                    "lang": {"type": "keyword"},
                    "title": {
                        "type": "text",
                        "analyzer": "icu_folded",
                        "fields": {"exact": {"type": "text", "analyzer": "standard"}},
                    },
                }
            },
        },
    )
    for doc_id, doc in DOCS.items():
        client.index(index=INDEX, id=doc_id, body=doc)
    client.indices.refresh(index=INDEX)
    return INDEX


def test_icu_analysis_and_search(client, indexed):
    tokens = client.indices.analyze(
        index=INDEX, body={"analyzer": "icu_folded", "text": "Quyền 中华人民共和国"})["tokens"]
    words = [t["token"] for t in tokens]
    assert words[0] == "quyen"
    assert "人民" in words  # icu_tokenizer segments Chinese into words, not single characters

    # Folded field: the unaccented query finds the Vietnamese words with diacritics.
    assert _ids(_search(client, "quyen")) == {"vi1"}
    assert _ids(_search(client, "ha noi")) == {"vi2"}
    # ... and the unfolded sub-field does not (proves that folding did the work).
    assert _ids(_search(client, "quyen", field="title.exact")) == set()
    assert _ids(_search(client, "人民")) == {"zh1"}
    assert _ids(_search(client, "rights")) == {"en1"}
    # icu_normalizer (NFKC case fold) turns fullwidth letters into plain ones.
    assert _ids(_search(client, "fullwidth")) == {"en2"}


def test_cluster_green_with_two_nodes(client, indexed):
    health = client.cluster.health(index=INDEX, wait_for_status="green", request_timeout=60,
                                   params={"timeout": "50s"})
    assert health["status"] == "green", health
    assert health["number_of_nodes"] == 2
    assert health["active_primary_shards"] == 2
    assert health["active_shards"] == 4  # 2 primaries + 2 replicas, one copy on each node
    nodes = {row["name"] for row in client.cat.nodes(format="json")}
    assert nodes == {"n1", "n2"}


def test_search_survives_kill_9_of_one_node(cluster, client, indexed):
    manager = client.cat.cluster_manager(format="json")[0]["node"]
    # Kill the node that is not the elected cluster manager: the survivor stays manager (a lone
    # survivor of a two-node cluster cannot win an election) and promotes the replicas.
    victim = next(n for n in cluster.nodes if n.name != manager)
    survivor = next(n for n in cluster.nodes if n.name == manager)
    shards_on_victim = [s for s in client.cat.shards(index=INDEX, format="json") if s["node"] == victim.name]
    assert any(s["prirep"] == "p" for s in shards_on_victim), f"victim holds no primary: {shards_on_victim}"

    victim.kill()
    assert not victim.alive()

    only_survivor = opensearchpy.OpenSearch(hosts=[{"host": survivor.host, "port": survivor.http_port}],
                                            timeout=30, max_retries=3, retry_on_timeout=True)
    deadline = time.monotonic() + 60
    last = None
    while True:
        try:
            resp = _search(only_survivor, "quyen")
            last = resp
            if resp["_shards"]["failed"] == 0 and _ids(resp) == {"vi1"}:
                break
        except opensearchpy.exceptions.OpenSearchException as e:
            last = e
        assert time.monotonic() < deadline, f"search did not recover after kill -9: {last}"
        time.sleep(0.5)

    # Every shard is served by the copy on the survivor, and all documents are still there.
    assert only_survivor.count(index=INDEX)["count"] == len(DOCS)
    assert _ids(_search(only_survivor, "人民")) == {"zh1"}
    # The client that knew both nodes also keeps working (it retries on the live node).
    assert _ids(_search(client, "ha noi")) == {"vi2"}

    health = only_survivor.cluster.health(index=INDEX, wait_for_nodes="1", request_timeout=60,
                                          wait_for_status="yellow", params={"timeout": "50s"})
    assert health["number_of_nodes"] == 1
    assert health["status"] == "yellow"  # replicas have nowhere to go
    assert health["active_primary_shards"] == 2
    only_survivor.close()
