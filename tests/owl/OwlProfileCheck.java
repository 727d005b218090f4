import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.FunctionalSyntaxDocumentFormat;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.model.parameters.Imports;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

/**
 * The OWL API's own OWL 2 DL profile check, run on each iacai ontology module and on all of them
 * together, so that "OWL 2 DL" is the verdict of the reference implementation, not of rdflib.
 *
 * Arguments: {@code IRI=FILE} for every module (owl:imports resolve to these files only: an
 * import of anything else fails instead of going to the network), then optionally
 * {@code --functional OUT} to write the merged modules in functional syntax for a DL reasoner.
 * Output: a line {@code MODULE <iri> <count>} (or {@code ALL <count>}) and one line per violation.
 */
public final class OwlProfileCheck {
    public static void main(String[] args) throws Exception {
        Map<IRI, IRI> modules = new LinkedHashMap<>();
        File functional = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--functional")) {
                functional = new File(args[++i]);
            } else {
                String[] pair = args[i].split("=", 2);
                modules.put(IRI.create(pair[0]), IRI.create(new File(pair[1])));
            }
        }
        for (IRI module : modules.keySet()) {
            OWLOntologyManager manager = offlineManager(modules);
            report("MODULE " + module, manager.loadOntology(module));
        }
        OWLOntologyManager manager = offlineManager(modules);
        OWLOntology all = manager.createOntology(IRI.create("urn:iacai:all-modules"));
        for (IRI module : modules.keySet()) {
            manager.loadOntology(module);
            manager.applyChange(new org.semanticweb.owlapi.model.AddImport(
                all, manager.getOWLDataFactory().getOWLImportsDeclaration(module)));
        }
        report("ALL", all);
        if (functional != null) {
            OWLOntology merged = manager.createOntology(IRI.create("urn:iacai:merged"));
            manager.addAxioms(merged, all.axioms(Imports.INCLUDED));
            manager.saveOntology(merged, new FunctionalSyntaxDocumentFormat(), IRI.create(functional));
        }
    }

    /** A manager that finds each module in its file and refuses every other import. */
    private static OWLOntologyManager offlineManager(Map<IRI, IRI> modules) {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        manager.getIRIMappers().clear();
        manager.getIRIMappers().add(iri -> modules.getOrDefault(iri, IRI.create("urn:offline:" + iri)));
        return manager;
    }

    private static void report(String name, OWLOntology ontology) {
        List<OWLProfileViolation> violations = new ArrayList<>(
            new OWL2DLProfile().checkOntology(ontology).getViolations());
        System.out.println(name + " " + violations.size());
        for (OWLProfileViolation violation : violations) {
            System.out.println("  " + violation.toString().replace('\n', ' '));
        }
    }
}
