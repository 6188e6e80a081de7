"""Hadoop and Spark as a service: templates, clusters whose nodes are servers made through
the compute service, their configuration rendered into each node's user data, scaling.

Pure: ``template_spec`` (what a template may say), ``rendering`` (each node's files and
cloud-init), ``scaling`` (what a resize adds, removes and drains). ``store`` holds the
tables; ``service`` the use cases."""
