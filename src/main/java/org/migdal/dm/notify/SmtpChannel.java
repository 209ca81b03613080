package org.migdal.dm.notify;

import jakarta.mail.Authenticator;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.migdal.dm.config.NotifyConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.Properties;

/**
 * E-mail through an SMTP relay (Jakarta Mail): STARTTLS required, optional or off; TLS verified (system trust or the
 * configured CA file, server identity checked); the password is read from its file at each send and never logged.
 */
public final class SmtpChannel implements Channel {
    private final NotifyConfig.Smtp config;

    public SmtpChannel(NotifyConfig.Smtp config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "smtp";
    }

    private String where() {
        return "SMTP relay " + config.host() + ":" + config.port();
    }

    @Override
    public void send(Message message) throws ChannelException {
        Properties p = new Properties();
        p.put("mail.transport.protocol", "smtp");
        p.put("mail.smtp.host", config.host());
        p.put("mail.smtp.port", String.valueOf(config.port()));
        String ms = String.valueOf(config.timeoutSeconds() * 1000L);
        p.put("mail.smtp.connectiontimeout", ms);
        p.put("mail.smtp.timeout", ms);
        p.put("mail.smtp.writetimeout", ms);
        p.put("mail.smtp.from", config.from());
        if (!"off".equals(config.starttls())) {
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", String.valueOf("required".equals(config.starttls())));
            p.put("mail.smtp.ssl.checkserveridentity", "true");
            p.put("mail.smtp.ssl.socketFactory", Trust.context(config.caFile(), "notify.smtp.caFile").getSocketFactory());
        }
        Authenticator auth = null;
        if (config.username() != null) {
            p.put("mail.smtp.auth", "true");
            String password = password();
            String user = config.username();
            auth = new Authenticator() {
                @Override
                protected PasswordAuthentication getPasswordAuthentication() {
                    return new PasswordAuthentication(user, password);
                }
            };
        }
        Session session = Session.getInstance(p, auth);
        try {
            MimeMessage m = new MimeMessage(session);
            m.setFrom(new InternetAddress(config.from(), true));
            for (String to : config.to()) {
                m.addRecipient(RecipientType.TO, new InternetAddress(to, true));
            }
            m.setSubject(message.subject(), "UTF-8");
            m.setText(message.text(), "UTF-8");
            m.setSentDate(Date.from(message.at()));
            Transport.send(m);
        } catch (MessagingException e) {
            throw new ChannelException(where() + ": the message to " + String.join(", ", config.to()) + " was not accepted: " + ChannelException.describe(e), e);
        }
    }

    private String password() throws ChannelException {
        try {
            return Files.readString(Path.of(config.passwordFile()), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new ChannelException("notify.smtp.passwordFile: cannot read " + config.passwordFile() + ": " + e.getClass().getSimpleName(), e);
        }
    }
}
