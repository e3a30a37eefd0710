package io.streammesh.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A product's lineage laid out for inline SVG: its inputs in a column on the left, the product in
 * the middle, the products reading it on the right, each a box linking to its page, with an edge
 * from each input to the product and from the product to each reader.
 *
 * @param width the drawing's width
 * @param height the drawing's height
 * @param nodes the boxes
 * @param edges the lines between box centres' sides
 */
record LineageGraph(int width, int height, List<Node> nodes, List<Edge> edges) {

    static final int BOX_WIDTH = 260;
    static final int BOX_HEIGHT = 34;
    private static final int COLUMN_GAP = 60;
    private static final int ROW_GAP = 16;

    /**
     * @param address the product's address, the link's target
     * @param x left
     * @param y top
     * @param self whether this is the product the page is about
     */
    record Node(String address, int x, int y, boolean self) {
        int textX() {
            return x + 10;
        }

        int textY() {
            return y + BOX_HEIGHT / 2 + 5;
        }
    }

    /** A line from (x1, y1) to (x2, y2). */
    record Edge(int x1, int y1, int x2, int y2) {
    }

    /**
     * @param lineage the REST API's lineage answer: {@code address}, {@code upstream}, {@code downstream}
     * @return its drawing
     */
    static LineageGraph of(JsonNode lineage) {
        List<String> upstream = texts(lineage.path("upstream"));
        List<String> downstream = texts(lineage.path("downstream"));
        int rows = Math.max(1, Math.max(upstream.size(), downstream.size()));
        int height = rows * (BOX_HEIGHT + ROW_GAP) + ROW_GAP;
        int width = 3 * BOX_WIDTH + 4 * COLUMN_GAP;
        var self = new Node(lineage.path("address").asText(), COLUMN_GAP * 2 + BOX_WIDTH, (height - BOX_HEIGHT) / 2, true);
        List<Node> nodes = new ArrayList<>(List.of(self));
        List<Edge> edges = new ArrayList<>();
        column(upstream, COLUMN_GAP, height).forEach(node -> {
            nodes.add(node);
            edges.add(new Edge(node.x() + BOX_WIDTH, node.y() + BOX_HEIGHT / 2, self.x(), self.y() + BOX_HEIGHT / 2));
        });
        column(downstream, COLUMN_GAP * 3 + BOX_WIDTH * 2, height).forEach(node -> {
            nodes.add(node);
            edges.add(new Edge(self.x() + BOX_WIDTH, self.y() + BOX_HEIGHT / 2, node.x(), node.y() + BOX_HEIGHT / 2));
        });
        return new LineageGraph(width, height, nodes, edges);
    }

    private static List<Node> column(List<String> addresses, int x, int height) {
        int top = (height - addresses.size() * (BOX_HEIGHT + ROW_GAP) + ROW_GAP) / 2;
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < addresses.size(); i++) {
            nodes.add(new Node(addresses.get(i), x, top + i * (BOX_HEIGHT + ROW_GAP), false));
        }
        return nodes;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
